/**
 * The doctor's shapes: what the rules read (a snapshot, counter rates over a window, sysctls, the
 * listeners' executables, a baseline) and what they find (the JSON contract's `Finding`). Pure types.
 */
import type { CounterInterval } from '../stats/sampler.js';
import type { Snapshot } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { DoctorConfig } from './config.js';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export interface ProcessCount {
  pid: number;
  command: string;
  count: number;
}

export interface Evidence {
  count?: number;
  /** Local ports with counts, largest first: `[{ port, count }]`. */
  ports?: { port: number; count: number }[];
  processes?: ProcessCount[];
  /** Remote addresses with counts. */
  peers?: { address: string; count: number }[];
  /** Anything else a rule measured, under a name that says what it is. */
  [key: string]: unknown;
}

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  states: TcpState[];
  evidence: Evidence;
  why: string;
  remedies: string[];
  commands: string[];
}

/** A listening socket's program, as the baseline records it. */
export interface BaselineListener {
  port: number;
  address: string;
  command: string;
}

export interface Baseline {
  listeners: BaselineListener[];
}

/** What the executable of a process is: its path, and whether it was deleted or sits in a temporary place. */
export interface ExeInfo {
  path: string;
  deleted: boolean;
  temporary: boolean;
}

export interface DoctorInput {
  /** The table at the end of the window, with owners. */
  snapshot: Snapshot;
  /** The table at the start of the window, when there was one (for queues that stay or grow). */
  earlier?: Snapshot;
  /** Counter deltas and rates over the window; absent with `--now`. */
  interval?: CounterInterval;
  /** Absolute counters and sockstat at the end. */
  counters: Record<string, number>;
  sockstat: Record<string, Record<string, number>>;
  /** TCP sysctls of the namespace (numbers, or lists for ranges). */
  sysctls: Record<string, number | number[] | string>;
  /** pid → its executable, for the listeners' owners. */
  exes: Map<number, ExeInfo>;
  baseline?: Baseline;
  config: DoctorConfig;
  /** The language of titles. */
  lang: 'en' | 'zh';
}

/** A rule: a pure function of the input. */
export interface Rule {
  id: string;
  /** Needs a counter window (skipped with `--now`). */
  needsWindow?: boolean;
  run(input: DoctorInput): Finding[];
}
