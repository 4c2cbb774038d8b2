/**
 * Pure. `report`'s findings over a range, from the series the history gives: per state the minimum,
 * average, maximum and last value; the moments that changed most (the largest moves between two
 * readings, summed over the states); the trend rules (`trends.ts`); counter rates summed up the same
 * way. Times stay in ms since the epoch here; renderers format them.
 */
import { TCP_STATES } from '../tcp/states.js';
import type { FindingStretch, SeriesPoint } from './history.js';
import type { Level } from './retention.js';
import {
  closeWaitGrowing,
  listenerChanges,
  type Point,
  synRecvBursts,
  type Trend,
  timeWaitPeak,
} from './trends.js';

export interface Summary {
  min: number;
  avg: number;
  max: number;
  last: number;
}

export interface Change {
  time: number;
  /** The reading before. */
  previous: number;
  /** The sum of the states' moves, each counted positive. */
  moved: number;
  /** Each state's change, when not zero. */
  states: Record<string, number>;
}

export interface ReportInput {
  file: string;
  from: number;
  to: number;
  level: Level;
  filter: { state?: string; port?: number; process?: string };
  series: readonly SeriesPoint[];
  rates: ReadonlyArray<{ time: number; rates: Record<string, number> }>;
  /** Listening ports at each time, oldest first. */
  listening: ReadonlyArray<{ time: number; ports: ReadonlySet<string> }>;
  findings: readonly FindingStretch[];
  /** Transitions traced over the range, per pair, most first (none when they were not recorded). */
  transitions?: ReadonlyArray<{ from: string; to: string; count: number }>;
}

export interface ReportModel {
  file: string;
  from: number;
  to: number;
  level: Level;
  filter: ReportInput['filter'];
  samples: number;
  /** States that had sockets in the range, in the kernel's order. */
  states: Array<{ state: string } & Summary>;
  series: readonly SeriesPoint[];
  changes: Change[];
  trends: Trend[];
  findings: readonly FindingStretch[];
  rates: Array<{ counter: string } & Summary>;
  transitions: ReadonlyArray<{ from: string; to: string; count: number }>;
}

/** Moments kept in `changes`. */
export const TOP_CHANGES = 5;

export function buildReport(input: ReportInput): ReportModel {
  const { series } = input;
  const present = TCP_STATES.filter((s) => series.some((p) => (p.counts[s] ?? 0) > 0));
  const states = present.map((state) => ({ state, ...summarise(series.map((p) => p.counts[state] ?? 0)) }));
  const pointsOf = (state: string): Point[] =>
    series.map((p) => ({ time: p.time, value: p.counts[state] ?? 0 }));
  const trends: Trend[] = [];
  const cw = closeWaitGrowing(pointsOf('CLOSE_WAIT'));
  if (cw) trends.push(cw);
  const tw = timeWaitPeak(pointsOf('TIME_WAIT'));
  if (tw) trends.push(tw);
  trends.push(...synRecvBursts(pointsOf('SYN_RECV')));
  trends.push(...listenerChanges(input.listening));
  trends.sort((a, b) => a.from - b.from);
  const counters = new Set<string>();
  for (const r of input.rates) for (const k of Object.keys(r.rates)) counters.add(k);
  const rates = [...counters].map((counter) => ({
    counter,
    ...summarise(input.rates.filter((r) => r.rates[counter] !== undefined).map((r) => r.rates[counter]!)),
  }));
  return {
    file: input.file,
    from: input.from,
    to: input.to,
    level: input.level,
    filter: input.filter,
    samples: series.length,
    states,
    series,
    changes: topChanges(series, TOP_CHANGES),
    trends,
    findings: input.findings,
    rates,
    transitions: input.transitions ?? [],
  };
}

/** Minimum, average, maximum and last of a list (zeros for an empty one). */
export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) return { min: 0, avg: 0, max: 0, last: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, avg: Math.round((sum / values.length) * 100) / 100, max, last: values[values.length - 1]! };
}

/** The `n` largest moves between consecutive readings, largest first. */
export function topChanges(series: readonly SeriesPoint[], n: number): Change[] {
  const out: Change[] = [];
  for (let i = 1; i < series.length; i++) {
    const a = series[i - 1]!;
    const b = series[i]!;
    const states: Record<string, number> = {};
    let moved = 0;
    for (const s of TCP_STATES) {
      const d = Math.round(((b.counts[s] ?? 0) - (a.counts[s] ?? 0)) * 100) / 100;
      if (d !== 0) {
        states[s] = d;
        moved += Math.abs(d);
      }
    }
    if (moved > 0) out.push({ time: b.time, previous: a.time, moved: Math.round(moved * 100) / 100, states });
  }
  return out.sort((x, y) => y.moved - x.moved || x.time - y.time).slice(0, n);
}
