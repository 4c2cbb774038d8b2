/**
 * Reads the TCP sysctls (thin: the names and parsing are counters-parse-sysctl.ts's). /proc/sys/net
 * shows the namespace of the thread that opens the file, so read inside `inNetns` for another one.
 * Most are per namespace; `tcp_mem` and `tcp_max_orphans` are host-wide and absent inside any namespace
 * but the first: `readNetnsSysctls` reads those from our own thread's namespace (the host's, unless
 * tcpscope itself runs inside another one) and names them.
 */
import { readFileSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import {
  HOST_WIDE_SYSCTLS,
  parseSysctlValue,
  type SysctlValue,
  sysctlPath,
  TCP_SYSCTLS,
} from './counters-parse-sysctl.js';

export interface SysctlRead {
  /** Dotted name → value, in the order asked. */
  values: Record<string, SysctlValue>;
  /** Names this kernel does not have (or that could not be read). */
  missing: string[];
  /**
   * Host-wide names the namespace does not show: their values (when readable) are the host's, read
   * outside the namespace (`readNetnsSysctls`).
   */
  hostWide?: string[];
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

/**
 * The sysctls of a namespace: `within` runs a read inside it. The host-wide ones it does not show are
 * read from our own namespace, in the order asked, and named in `hostWide`.
 */
export function readNetnsSysctls(
  within: <T>(fn: () => T) => T,
  procRoot = '/proc',
  names: readonly string[] = TCP_SYSCTLS,
): SysctlRead {
  const inside = within(() => readSysctls(procRoot, names));
  const hostWide = inside.missing.filter((n) => HOST_WIDE_SYSCTLS.includes(n));
  if (hostWide.length === 0) return inside;
  const host = readSysctls(procRoot, hostWide);
  const values: Record<string, SysctlValue> = {};
  for (const n of names) {
    const v = inside.values[n] ?? host.values[n];
    if (v !== undefined) values[n] = v;
  }
  return { values, missing: inside.missing.filter((n) => !hostWide.includes(n)), hostWide };
}

/** This boot's id (/proc/sys/kernel/random/boot_id): counters restart with it. */
export function readBootId(procRoot = '/proc'): string {
  try {
    return readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'latin1').trim();
  } catch (e) {
    throw fromErrno(e, `${procRoot}/sys/kernel/random/boot_id`);
  }
}
