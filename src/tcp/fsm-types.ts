/**
 * The shapes of the endpoint state machine: the transmission control block (TCB) of one end of one
 * connection, the events that drive it, the classes a table is indexed by, and what a step returns.
 * Time is a number of milliseconds on the caller's clock: the machine never reads a clock.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.3.1 (the TCB and its variables)
 */
import type { Segment } from './segment.js';
import type { TcpState } from './states.js';

/** Calls a program makes on its socket (RFC 9293 section 3.10 user interface, in socket terms). */
export type Call = 'listen' | 'connect' | 'send' | 'read' | 'close' | 'shutdown' | 'abort';

/** The machine's timers: retransmission (with its retry limit), TIME_WAIT's 2MSL, the orphan FIN_WAIT2 timeout. */
export type TimerName = 'retransmit' | 'time-wait' | 'fin-wait2';

/**
 * What happens to an endpoint. `recv` is a segment arriving; `sent` is a segment seen leaving it (a
 * capture or a trace observing the end, rather than driving it); `call` is the program; `timer` a
 * timer the driver found due (it reads the deadlines in `Tcb.timers`).
 */
export type FsmEvent =
  | { readonly kind: 'call'; readonly time: number; readonly call: Call; readonly bytes?: number }
  | { readonly kind: 'recv'; readonly time: number; readonly segment: Segment }
  | { readonly kind: 'sent'; readonly time: number; readonly segment: Segment }
  | { readonly kind: 'timer'; readonly time: number; readonly timer: TimerName };

/** Calls as the table sees them: `close` with received data the program never read is its own class (Linux resets). */
export const CALL_CLASSES = [
  'listen',
  'connect',
  'send',
  'read',
  'close',
  'close-unread',
  'shutdown',
  'abort',
] as const;

/**
 * Received segments, classified against the TCB in the order of RFC 9293 section 3.10.7.4: RST, SYN,
 * sequence check, ACK, then text, then FIN. One segment may yield several (`ack-of-fin` then `fin`).
 */
export const RECV_CLASSES = [
  'rst',
  'rst-inexact',
  'rst-outside',
  'syn',
  'syn-dup',
  'syn-ack',
  'bad-ack',
  'outside-window',
  'no-ack',
  'ack-of-syn',
  'ack-of-fin',
  'ack',
  'data',
  'out-of-order',
  'data-after-close',
  'fin',
] as const;

/** Segments seen leaving the end: what the program or the kernel must have done. */
export const SENT_CLASSES = ['sent-syn', 'sent-syn-ack', 'sent-fin', 'sent-rst', 'sent-other'] as const;

/** Timers: `rto-limit` is a retransmission timeout once the retry limit is used up. */
export const TIMER_CLASSES = ['rto', 'rto-limit', 'time-wait', 'fin-wait2'] as const;

/** The columns of the transition table. */
export const EVENT_CLASSES = [...CALL_CLASSES, ...RECV_CLASSES, ...SENT_CLASSES, ...TIMER_CLASSES] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

/**
 * What an outcome sends. `RST` is our own reset (RST+ACK from SND.NXT, an abort); `RST-reply` answers
 * the segment that arrived in the form of RFC 9293 section 3.10.7.1; `challenge-ACK` is an ACK sent
 * instead of obeying a doubtful RST or SYN (RFC 5961); `retransmit` resends what is unacknowledged.
 */
export type Reply =
  | 'SYN'
  | 'SYN-ACK'
  | 'ACK'
  | 'challenge-ACK'
  | 'FIN'
  | 'RST'
  | 'RST-reply'
  | 'data'
  | 'retransmit';

/** Named anomalies: outcomes worth telling a user about, each with a one-line meaning. */
export const ANOMALIES = {
  'connection-refused': 'RST answering our SYN: nothing listens there (ECONNREFUSED)',
  'connection-reset': 'the peer reset the connection (ECONNRESET)',
  'rst-in-syn-recv': 'RST in SYN_RECV: the half-open connection is dropped, back to LISTEN',
  'challenge-ack': 'RST or SYN with an unexpected sequence number: answered with a challenge ACK (RFC 5961)',
  'bad-ack': 'ACK of something never sent (an old duplicate or a confused peer)',
  'no-socket': 'segment for a connection that does not exist: answered with RST',
  'syn-in-syn-recv': 'a different SYN for a half-open connection: reset, back to LISTEN',
  'time-wait-reuse': 'a new SYN reopened the connection in TIME_WAIT',
  'time-wait-assassination': 'an RST ended TIME_WAIT early (RFC 1337)',
  timeout: 'retransmission limit reached: the connection is given up (ETIMEDOUT)',
  'orphan-timeout': 'orphaned FIN_WAIT2 timed out: the peer never sent its FIN',
  'abort-on-close': 'closed with unread received data: RST instead of FIN',
  'abort-on-data': 'data arrived after the program closed: RST',
  'abort-by-program': 'the program aborted the connection (SO_LINGER 0): RST',
  'call-error': 'the call is not valid in this state: it fails and nothing changes',
  unexpected: 'an event that does not arise in this state for a correct peer',
} as const;
export type AnomalyId = keyof typeof ANOMALIES;

/** One cell of the transition table: a transition, "no change", or a named anomaly (or a transition that is one). */
export interface Outcome {
  /** State after the event; absent means no change. Equal to the current state: a same-state change Linux traces. */
  readonly to?: TcpState;
  /** Segments sent in response, in order. */
  readonly send?: readonly Reply[];
  readonly anomaly?: AnomalyId;
  /** A timer this event restarts (TIME_WAIT restarts 2MSL on a retransmitted FIN). */
  readonly restart?: TimerName;
  /** One line: what happens and why. */
  readonly why: string;
  /** Where the rule comes from: an RFC 9293 section (`3.10.7.4`) or another RFC (`RFC 5961 3.2`). */
  readonly rfc: string;
  /** What Linux does where it differs from the RFC, or the kernel function that does it. */
  readonly linux?: string;
  /** The outcome for an end that came from LISTEN (a Linux request socket), where it differs. */
  readonly passive?: Omit<Outcome, 'passive'>;
}

/** Linux's limits and durations, the defaults of a fresh TCB (sysctl names in the comments). */
export interface Limits {
  /**
   * net.ipv4.tcp_syn_retries (6). Linux turns it into a time: connect() fails at the first SYN timer
   * after ((2 << n) - 1) initial RTOs (127 s for 6, 7 s for 2: retransmits_timed_out()).
   */
  readonly synRetries: number;
  /**
   * net.ipv4.tcp_syn_linear_timeouts (4, Linux 6.5+): the SYN's RTO stays at its initial second for
   * the first retransmissions (1, 2, 3, 4, 5 s), then doubles (tcp_retransmit_timer()).
   */
  readonly synLinearTimeouts: number;
  /** net.ipv4.tcp_synack_retries (5). */
  readonly synackRetries: number;
  /** net.ipv4.tcp_retries2 (15), counted in retransmissions here (Linux turns it into a duration). */
  readonly retries2: number;
  /** net.ipv4.tcp_orphan_retries (0 means 8). */
  readonly orphanRetries: number;
  /** net.ipv4.tcp_fin_timeout (60 s): how long an orphaned FIN_WAIT2 waits for the peer's FIN. */
  readonly finTimeoutMs: number;
  /** TCP_TIMEWAIT_LEN (60 s, no sysctl): Linux's TIME_WAIT, shorter than the RFC's 2MSL of 4 minutes. */
  readonly timeWaitMs: number;
  /** TCP_TIMEOUT_INIT (1 s): first retransmission timeout of a SYN or SYN+ACK. */
  readonly rtoInitialMs: number;
  /** TCP_RTO_MIN (200 ms): retransmission timeout of data and FIN on a fast path. */
  readonly rtoMinMs: number;
  /** TCP_RTO_MAX (120 s). */
  readonly rtoMaxMs: number;
}

/** A received segment waiting for the hole before it: where it starts, its payload, whether it ends in FIN. */
export interface OutOfOrder {
  readonly seq: number;
  readonly len: number;
  readonly fin: boolean;
}

/** The transmission control block of one end of one connection: state, sequence variables, flags, timers. */
export interface Tcb {
  readonly state: TcpState;
  /** Came from LISTEN (Linux: a request socket, then a child of the listener): resets return to LISTEN. */
  readonly passive: boolean;
  /** The program closed the socket (Linux SOCK_DEAD): orphan timers and retries apply, data arriving is answered by RST. */
  readonly orphan: boolean;
  /** Our FIN is queued or sent (shutdown or close). */
  readonly finQueued: boolean;
  /** ISS, SND.UNA, SND.NXT (RFC 9293 section 3.3.1). */
  readonly iss: number;
  readonly sndUna: number;
  readonly sndNxt: number;
  /** Sequence number of our FIN once sent: an ACK of `finSeq + 1` acknowledges it. */
  readonly finSeq: number | undefined;
  /** IRS and RCV.NXT, once the peer's SYN has been seen. */
  readonly irs: number | undefined;
  readonly rcvNxt: number | undefined;
  readonly rcvWnd: number;
  /** Received payload octets the program has not read (close with unread data resets, as Linux does). */
  readonly unread: number;
  /** Segments received beyond a hole, kept until the hole is filled (RFC 9293 section 3.10.7.4, seventh). */
  readonly ooo: readonly OutOfOrder[];
  /** Retransmissions of the oldest unacknowledged segment so far. */
  readonly retries: number;
  /** When our first SYN left (connect(), or a SYN seen leaving): SYN_SENT gives up by time since then. */
  readonly synAt?: number;
  /** TS.Recent: the newest TCP timestamp (TSval) the peer sent, when its segments carry one. */
  readonly tsRecent?: number;
  /** Current retransmission timeout, doubled at each retry. */
  readonly rtoMs: number;
  /** Deadlines of the armed timers, in the events' milliseconds. */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  readonly limits: Limits;
}

/** A change of state made by one event (`from` may equal `to`: Linux traces close() in FIN_WAIT2 so). */
export interface FsmTransition {
  readonly time: number;
  readonly from: TcpState;
  readonly to: TcpState;
  /** The class of event that made it, for example `ack-of-fin` or `close`. */
  readonly cause: EventClass;
}

/** An anomaly met while stepping. */
export interface FsmAnomaly {
  readonly time: number;
  readonly id: AnomalyId;
  /** The state the endpoint was in when it met the anomaly. */
  readonly state: TcpState;
  readonly cause: EventClass;
}

/** A segment the step wants sent, and why. */
export interface Outgoing {
  readonly segment: Segment;
  readonly reply: Reply;
}

/** What `step` returns: the next TCB, and everything that happened, as data. */
export interface StepResult {
  readonly tcb: Tcb;
  readonly transitions: readonly FsmTransition[];
  readonly anomalies: readonly FsmAnomaly[];
  readonly send: readonly Outgoing[];
  /** The classes the event fell into, each with the table's outcome: the explanation of the step. */
  readonly applied: readonly { readonly cls: EventClass; readonly outcome: Outcome }[];
}
