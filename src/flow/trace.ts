/**
 * The neutral connection trace: two ends and what happened between them, one event a row. The
 * simulator writes one (it drives both ends), the capture tracker writes one (it observes both ends
 * from the wire), and the ladder and JSON renderers draw any of them the same way. Pure data.
 */
import type { AnomalyId, Segment, TcpState } from '../tcp/index.js';

/** One end of a connection: `client` (the end that sent the first SYN) and `server`, or whatever a source calls them. */
export type EndId = string;

export interface TraceEnd {
  readonly id: EndId;
  /** How the ladder titles its column: a label (`client`), or an endpoint (`127.0.0.1:40000`). */
  readonly label: string;
}

/** An address as a trace names it: a host name of the simulation or an IP address, and a port. */
export interface TraceAddr {
  readonly host: string;
  readonly port: number;
}

/** A segment, numbered in the order it was first sent or seen. */
export interface ConnSegment {
  readonly id: number;
  readonly from: TraceAddr;
  readonly to: TraceAddr;
  /** The end that sent it and the end it is for, when they are ends of the trace (not a spoofed sender). */
  readonly fromEnd?: EndId;
  readonly toEnd?: EndId;
  readonly segment: Segment;
  readonly sentAt: number;
}

/**
 * What a row is: a program's call, a segment leaving (`send`), arriving, lost or dropped on its way
 * (a simulation sees both sides of the wire), a segment `seen` on the wire (a capture sees it once),
 * a timer, a note, a host crashing or restarting.
 */
export type ConnEventKind =
  | 'call'
  | 'send'
  | 'arrive'
  | 'lost'
  | 'dropped'
  | 'seen'
  | 'timer'
  | 'note'
  | 'crash'
  | 'restart';

/** A change of one end's state. */
export interface ConnTransition {
  readonly end: EndId;
  readonly from: TcpState;
  readonly to: TcpState;
  /** The class of event that made it (`ack-of-fin`, `close`, `syn-cookie`...). */
  readonly cause: string;
}

export interface ConnAnomalyMark {
  readonly end: EndId;
  readonly id: AnomalyId;
  readonly state: TcpState;
}

/** One end as a row shows it. */
export interface EndView {
  readonly state: TcpState;
  /** The host is crashed: it answers nothing. */
  readonly down?: true;
  /** Other connections of the end (a listener's half-open ones), counted by state. */
  readonly others?: Readonly<Partial<Record<TcpState, number>>>;
}

/** One row of the ladder. */
export interface ConnEvent {
  readonly n: number;
  /** Milliseconds since the trace's start. */
  readonly time: number;
  readonly kind: ConnEventKind;
  /** Where it happens: an end, or `network` for notes and losses. */
  readonly at: EndId | 'network';
  /** Short text: `connect()`, `lost`, `retransmission timer`, a note, the fate of a seen segment. */
  readonly text: string;
  readonly packet?: ConnSegment;
  /** Why the end did what it did (the state machine's explanation), when it is worth saying. */
  readonly why?: string;
  readonly transitions: readonly ConnTransition[];
  readonly anomalies: readonly ConnAnomalyMark[];
  /** Both ends after the event, in the order of the trace's `ends`. */
  readonly views: readonly [EndView, EndView];
}

/** One connection's story. */
export interface ConnTrace {
  /** A name for the trace: the scenario's id, or the connection's number in a capture. */
  readonly id: string;
  readonly title: string;
  /** What it shows, a few sentences (may be empty). */
  readonly about: string;
  readonly ends: readonly [TraceEnd, TraceEnd];
  readonly events: readonly ConnEvent[];
  /** The trace stops before its story ended (a simulation's time limit). */
  readonly truncated: boolean;
  /** Where it stopped when truncated, in the events' milliseconds. */
  readonly untilMs?: number;
  /** One-way delay of a simulated network. */
  readonly latencyMs?: number;
  /** Wall-clock time of `time` 0, in microseconds since the epoch (captures). */
  readonly startUs?: number;
  readonly source: 'simulation' | 'capture';
}

/** Index (0 or 1) of an end in the trace, or -1. */
export function endIndex(trace: Pick<ConnTrace, 'ends'>, id: EndId | undefined): -1 | 0 | 1 {
  if (id === trace.ends[0].id) return 0;
  if (id === trace.ends[1].id) return 1;
  return -1;
}

/** Whether a segment travels from the first end's side to the second's (left to right in a ladder). */
export function rightward(trace: Pick<ConnTrace, 'ends'>, p: ConnSegment): boolean {
  return p.fromEnd === trace.ends[0].id || p.toEnd === trace.ends[1].id;
}

/** The states one end passed through, in order (repeats folded), from a trace's views. */
export function statePath(trace: ConnTrace, end: 0 | 1): TcpState[] {
  const out: TcpState[] = [];
  const first = trace.events[0];
  if (first) {
    const t = first.transitions.find((x) => x.end === trace.ends[end].id);
    if (t) out.push(t.from);
  }
  for (const e of trace.events) if (out.at(-1) !== e.views[end].state) out.push(e.views[end].state);
  return out;
}
