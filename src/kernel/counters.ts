/**
 * Reads a network namespace's counters: /proc/net/snmp, snmp6, netstat, sockstat and sockstat6
 * (sockets per state are the socket table's: snapshot/take.ts countStatesFast). Thin: parsing is in counters-parse-*.ts. Inside a namespace
 * these files are the namespace's own (`/proc/PID/net/...` for another process's namespace).
 */
import { readFileSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import { nstatNames, parseNetstat, parseSnmp } from './counters-parse-snmp.js';
import { parseSnmp6 } from './counters-parse-snmp6.js';
import { parseSockstat } from './counters-parse-sockstat.js';
import type { CounterParse, CounterSample } from './counters-types.js';
import { procNetDir } from './procfs.js';

export interface CounterReadOptions {
  /** The proc mount; a fixture tree in unit tests. */
  procRoot?: string;
  /** Read the namespace of this process (`/proc/PID/net`). */
  pid?: number;
}

/** Reads every counter file once. snmp6 and sockstat6 may be absent (IPv6 disabled): no error. */
export function readCounters(opts: CounterReadOptions = {}): CounterSample {
  const procRoot = opts.procRoot ?? '/proc';
  const dir = procNetDir(procRoot, opts.pid);
  const sample: CounterSample = { counters: {}, sockstat: {}, malformed: 0 };
  const warnings: string[] = [];
  const take = <T>(file: string, r: CounterParse<T>): T => {
    sample.malformed += r.malformed;
    if (r.firstError !== undefined)
      warnings.push(`${dir}/${file}: ${r.malformed} malformed, ${r.firstError}`);
    return r.value;
  };
  const snmp = take('snmp', parseSnmp(readText(`${dir}/snmp`)));
  const snmp6Text = readText(`${dir}/snmp6`, true);
  const snmp6 = snmp6Text === undefined ? {} : take('snmp6', parseSnmp6(snmp6Text));
  const netstat = take('netstat', parseNetstat(readText(`${dir}/netstat`)));
  // nstat's order: snmp, snmp6, netstat (iproute2 misc/nstat.c).
  nstatNames(snmp, sample.counters);
  Object.assign(sample.counters, snmp6);
  nstatNames(netstat, sample.counters);
  Object.assign(sample.sockstat, take('sockstat', parseSockstat(readText(`${dir}/sockstat`))));
  const sockstat6 = readText(`${dir}/sockstat6`, true);
  if (sockstat6 !== undefined) Object.assign(sample.sockstat, take('sockstat6', parseSockstat(sockstat6)));
  if (warnings.length > 0) sample.warnings = warnings;
  return sample;
}

function readText(path: string, optional: true): string | undefined;
function readText(path: string): string;
function readText(path: string, optional = false): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromErrno(e, path);
  }
}
