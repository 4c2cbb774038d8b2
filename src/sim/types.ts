/**
 * The simulator's shapes: a scenario (settings and timed actions, parsed from a script), and the run
 * it produces (one step a row of the ladder, with both ends' states after it).
 */

import type { HostSettings } from '../flow/host.js';
import type { ConnEvent, ConnTrace, TraceAddr } from '../flow/trace.js';
import type { Call, Segment } from '../tcp/index.js';

/** The two ends of the simulated connection. */
export type Side = 'client' | 'server';

/** An address as the simulator names it: a side, or a made-up host (spoofed senders, old duplicates). */
export type SimAddr = TraceAddr;

export interface EndSettings extends HostSettings {
  label: string;
  /** `auto`: the program reads whatever arrives; `manual`: only on `read` (unread data makes close() reset). */
  read: 'auto' | 'manual';
}

export interface Settings {
  /** One-way delay of the network. */
  latencyMs: number;
  /** The simulation stops at this time even if timers are still armed. */
  untilMs: number;
  client: EndSettings;
  server: EndSettings;
}

/** What a network rule selects: segments a side sends, by control bits, the Nth match after the rule is armed. */
export interface Match {
  readonly side: Side;
  /** Control bits (SYN, SYN+ACK, ACK, FIN, RST) or `DATA` for any segment with payload. */
  readonly spec: string;
  readonly nth: number;
}

export type Rule =
  | { readonly kind: 'lose'; readonly match: Match }
  | { readonly kind: 'delay'; readonly match: Match; readonly ms: number }
  | { readonly kind: 'duplicate'; readonly match: Match; readonly ms: number }
  | { readonly kind: 'reorder'; readonly match: Match };

export type Action =
  | {
      readonly kind: 'call';
      readonly at: number;
      readonly side: Side;
      readonly call: Call;
      readonly bytes?: number;
    }
  | { readonly kind: 'rule'; readonly at: number; readonly rule: Rule }
  | {
      readonly kind: 'inject';
      readonly at: number;
      readonly to: Side;
      readonly from: SimAddr | undefined;
      readonly segment: Segment;
    }
  | { readonly kind: 'crash' | 'restart'; readonly at: number; readonly side: Side }
  | { readonly kind: 'note'; readonly at: number; readonly text: string };

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** What the scenario teaches, a few sentences. */
  readonly about: string;
  readonly settings: Settings;
  readonly actions: readonly Action[];
}

/** A run: the connection trace of both ends (ids `client` and `server`), with the scenario it ran. */
export interface SimResult extends ConnTrace {
  readonly scenario: Scenario;
}

/** One row of a run (the trace's event). */
export type SimStep = ConnEvent;
