/**
 * The simulator's shapes: a scenario (settings and timed actions, parsed from a script), and the run
 * it produces (one step a row of the ladder, with both ends' states after it).
 */
import type { AnomalyId, Call, Limits, Segment, TcpState } from '../tcp/index.js';

/** The two ends of the simulated connection. */
export type Side = 'client' | 'server';

/** An address as the simulator names it: a side, or a made-up host (spoofed senders, old duplicates). */
export interface SimAddr {
  readonly host: string;
  readonly port: number;
}

export interface EndSettings {
  label: string;
  port: number;
  iss: number;
  /** `auto`: the program reads whatever arrives; `manual`: only on `read` (unread data makes close() reset). */
  read: 'auto' | 'manual';
  /** listen() backlog: the most half-open (SYN_RECV) connections the listener keeps. */
  backlog: number;
  /** net.ipv4.tcp_syncookies: answer SYNs with cookies when the queue is full instead of dropping them. */
  syncookies: boolean;
  limits: Partial<Limits>;
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

/** One end as a row of the ladder shows it. */
export interface EndView {
  readonly state: TcpState;
  /** The host is crashed: it answers nothing. */
  readonly down?: true;
  /** Other connections of the end (a listener's half-open ones), counted by state. */
  readonly others?: Readonly<Partial<Record<TcpState, number>>>;
}

/** A segment on the wire, numbered in the order sent. */
export interface WirePacket {
  readonly id: number;
  readonly from: SimAddr;
  readonly to: SimAddr;
  readonly segment: Segment;
  readonly sentAt: number;
}

export type StepKind =
  | 'call'
  | 'send'
  | 'arrive'
  | 'lost'
  | 'dropped'
  | 'timer'
  | 'note'
  | 'crash'
  | 'restart';

/** One row of the ladder. */
export interface SimStep {
  readonly n: number;
  readonly time: number;
  readonly kind: StepKind;
  /** Where it happens: a side, or `network` for notes and losses of segments to nobody. */
  readonly at: Side | 'network';
  /** Short text: `connect()`, `lost`, `timer retransmit`, a note. */
  readonly text: string;
  readonly packet?: WirePacket;
  /** Why the end did what it did (the table's explanation), when it is worth saying. */
  readonly why?: string;
  readonly transitions: readonly {
    readonly end: Side;
    readonly from: TcpState;
    readonly to: TcpState;
    readonly cause: string;
  }[];
  readonly anomalies: readonly { readonly end: Side; readonly id: AnomalyId; readonly state: TcpState }[];
  readonly client: EndView;
  readonly server: EndView;
}

export interface SimResult {
  readonly scenario: Scenario;
  readonly steps: readonly SimStep[];
  /** The run stopped at `untilMs` with events still pending. */
  readonly truncated: boolean;
}
