/**
 * Pure. One reading of the table as the rows the history keeps: sockets per state overall, per
 * local port (every listening port, up to MAX_LISTENING_PORTS, then the top N other ports that hold
 * two sockets or more) and per
 * process (the top N), each with the rest summed under "(other)" so a sample's size is bounded
 * whatever the table holds; the `sar -n TCP,ETCP` and LISTEN counter rates; the doctor's findings.
 * Zero counts are not stored: a missing row is a zero.
 */
import type { Finding } from '../doctor/types.js';
import { processKey } from '../render/socket-text.js';
import { type CountRow, countBy, countStates } from '../snapshot/aggregate.js';
import type { CounterInterval } from '../stats/sampler.js';
import { columnValue, SAR_COLUMNS, type SarView } from '../stats/sar.js';
import type { Socket } from '../tcp/socket.js';

/** Listening ports always kept with their own rows (so listeners that come and go are seen). */
export const MAX_LISTENING_PORTS = 256;
/** The key of the rows summed up beyond the top N, as `count --by` names it. */
export const OTHER = '(other)';
/** The rate views recorded, by sar's column names (`active/s`, `retrans/s`, `ListenOverflows/s`...). */
export const RATE_VIEWS: readonly SarView[] = ['TCP', 'ETCP', 'LISTEN'];

export type CountKind = 'all' | 'port' | 'process';

export interface CountPoint {
  kind: CountKind;
  /** The port as text, the process as `command[pid]`, '' for `all`. */
  key: string;
  state: string;
  count: number;
}

export interface FindingPoint {
  rule: string;
  severity: string;
  title: string;
  /** The finding as the doctor's JSON has it. */
  json: string;
}

export interface SampleRows {
  /** Milliseconds since the epoch. */
  time: number;
  /** Seconds since the previous reading, when there was one. */
  seconds?: number;
  total: number;
  /** Whether owners were looked up at this reading (else carried from the last lookup by inode). */
  owners: boolean;
  counts: CountPoint[];
  rates: { counter: string; value: number }[];
  findings: FindingPoint[];
}

export interface SampleInput {
  time: number;
  sockets: readonly Socket[];
  /** Processes kept per sample before "(other)". */
  top: number;
  owners: boolean;
  /** The counters since the previous reading; none at the first. */
  interval?: CounterInterval;
  findings?: readonly Finding[];
}

/** The rows of one reading. */
export function sampleRows(input: SampleInput): SampleRows {
  const { sockets, top } = input;
  const overall = countStates(sockets);
  const counts: CountPoint[] = [];
  for (const [state, count] of Object.entries(overall.states))
    counts.push({ kind: 'all', key: '', state, count });
  for (const row of portRows(sockets, top)) push(counts, 'port', row);
  if (sockets.length > 0)
    for (const row of countBy(sockets, 'process', processKey, top).rows) push(counts, 'process', row);
  return {
    time: input.time,
    ...(input.interval ? { seconds: input.interval.seconds } : {}),
    total: overall.total,
    owners: input.owners,
    counts,
    rates: input.interval ? ratesOf(input.interval) : [],
    findings: (input.findings ?? []).map((f) => ({
      rule: f.rule,
      severity: f.severity,
      title: f.title,
      json: JSON.stringify(f),
    })),
  };
}

function push(out: CountPoint[], kind: CountKind, row: CountRow): void {
  for (const [state, count] of Object.entries(row.states))
    if (count) out.push({ kind, key: row.key, state, count });
}

/** Per local port: every listening port (up to the cap), the top `top` others, the rest as "(other)". */
export function portRows(sockets: readonly Socket[], top: number): CountRow[] {
  if (sockets.length === 0) return [];
  const rows = countBy(sockets, 'port', (s) => String(s.local.port), Number.MAX_SAFE_INTEGER).rows;
  const listening = rows.filter((r) => (r.states.LISTEN ?? 0) > 0).slice(0, MAX_LISTENING_PORTS);
  const kept = new Set(listening);
  // A local port that is not listening has a row of its own only when several sockets share it (a
  // listener gone with its connections left, a client bound to a port): one socket per ephemeral
  // port would fill the top N with ports that say nothing and change at every reading.
  const others = rows.filter((r) => !kept.has(r) && r.total >= 2);
  const single = rows.filter((r) => !kept.has(r) && r.total < 2);
  const out = [...listening, ...others.slice(0, top)];
  const rest = [...others.slice(top), ...single];
  if (rest.length === 0) return out;
  const other: CountRow = { key: OTHER, other: true, total: 0, states: {} };
  for (const r of rest) {
    other.total += r.total;
    for (const [st, c] of Object.entries(r.states) as [keyof CountRow['states'], number][])
      other.states[st] = (other.states[st] ?? 0) + c;
  }
  return [...out, other];
}

/** The recorded rates of an interval (counters this kernel lacks are left out). */
export function ratesOf(iv: CounterInterval): { counter: string; value: number }[] {
  const out: { counter: string; value: number }[] = [];
  for (const view of RATE_VIEWS)
    for (const c of SAR_COLUMNS[view]) {
      const v = columnValue(c, iv);
      if (v !== null) out.push({ counter: c.key, value: v });
    }
  return out;
}
