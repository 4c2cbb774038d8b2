/**
 * The doctor's shapes: what the rules read (a snapshot, counter rates over a window, sysctls, the
 * listeners' executables, a baseline) and what they find (the JSON contract's `Finding`). Pure types.
 */
import type { CounterInterval } from '../stats/sampler.js';
import type { Snapshot, Unseen } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { DoctorConfig } from './config.js';
import type { ConnectFailures } from './connect-events.js';
import type { SnapshotWindow } from './window.js';

export type { Unseen };

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
  /** The earlier snapshots of the window, summed up (sockets that stay, queues that grow); absent with `--now`. */
  window?: SnapshotWindow;
  /** connect() failures the kernel reported over the window (tracefs, root only), when they were traced. */
  connects?: ConnectFailures;
  /** Why connects were not traced over the window (not root, no tracefs), when they were not. */
  connectsUntraced?: string;
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

/**
 * A rule: a pure function of the input. `run` completes each finding (why, remedies, commands) with
 * the explainer it is given; nothing is added to a finding after its rule returns.
 */
export interface Rule {
  id: string;
  /**
   * What one snapshot cannot prove for this rule, said when it is skipped under `--now`: sockets
   * that stay, queues that grow, counters that rise all need the window.
   */
  needsWindow?: string;
  run(input: DoctorInput, explain: Explainer): Finding[];
}

/** Why a rule matters, what fixes it and what to run next, in the input's language. */
export type Explainer = (
  rule: string,
  lang: 'en' | 'zh',
) => { why: string; remedies: string[]; commands: string[] };
