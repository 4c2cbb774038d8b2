/**
 * `tcpscope counters` as text, laid out like nstat: the name in 32 columns, the value, and with a delta
 * the rate per second over the time since the earlier reading. Pure.
 * @see iproute2 misc/nstat.c dump_kern_db(), dump_incr_db()
 */
import type { NstatRow } from '../stats/nstat.js';

/** The rows, one a line; `withRate` adds the rate column (delta view). */
export function renderNstat(rows: readonly NstatRow[], withRate: boolean): string {
  let out = '';
  for (const r of rows) {
    let line = `${r.name.padEnd(31)} ${String(r.value)}`;
    if (withRate) {
      line = `${line.padEnd(47)} ${(r.rate === undefined ? '' : r.rate.toFixed(1)).padStart(8)}`;
      if (r.gauge) line += ' (current value)';
      if (r.reset) line += ' (went backwards: reset)';
    }
    out += `${line.trimEnd()}\n`;
  }
  return out;
}

/** Dotted sysctl names and their values, `sysctl`'s way (`name = value`). */
export function renderSysctls(values: Readonly<Record<string, number | number[] | string>>): string {
  let out = '';
  for (const [name, v] of Object.entries(values)) out += `${name} = ${Array.isArray(v) ? v.join('\t') : v}\n`;
  return out;
}
