/**
 * Reads the TCP sysctls (thin: the names and parsing are counters-parse-sysctl.ts's). /proc/sys/net
 * shows the namespace of the thread that opens the file, so read inside `inNetns` for another one.
 * Most are per namespace; `tcp_mem` and `tcp_max_orphans` are host-wide and absent inside any namespace
 * but the first (so listed as missing there).
 */
import { readFileSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import { parseSysctlValue, type SysctlValue, sysctlPath, TCP_SYSCTLS } from './counters-parse-sysctl.js';

export interface SysctlRead {
  /** Dotted name → value, in the order asked. */
  values: Record<string, SysctlValue>;
  /** Names this kernel does not have (or that could not be read). */
  missing: string[];
}

/** Reads sysctls (the TCP ones by default) from `procRoot`/sys. */
export function readSysctls(procRoot = '/proc', names: readonly string[] = TCP_SYSCTLS): SysctlRead {
  const out: SysctlRead = { values: {}, missing: [] };
  for (const name of names) {
    try {
      out.values[name] = parseSysctlValue(readFileSync(`${procRoot}/sys/${sysctlPath(name)}`, 'latin1'));
    } catch {
      out.missing.push(name);
    }
  }
  return out;
}

/** This boot's id (/proc/sys/kernel/random/boot_id): counters restart with it. */
export function readBootId(procRoot = '/proc'): string {
  try {
    return readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'latin1').trim();
  } catch (e) {
    throw fromErrno(e, `${procRoot}/sys/kernel/random/boot_id`);
  }
}
