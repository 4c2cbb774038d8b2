/**
 * The endpoint state machine: `step(tcb, event)` looks the event's classes up in the transition
 * table, updates the TCB, and returns the new TCB with its transitions, anomalies and the segments to
 * send, all as data. Pure: no I/O, no clock (time comes from the event), no randomness (the ISS is
 * given when the TCB is made). The simulator drives it; captures and traces observe with it.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10 (event processing)
 */
import { classify } from './fsm-classify.js';
import { applyEffects } from './fsm-effects.js';
import { replySegments } from './fsm-reply.js';
import { outcomeOf } from './fsm-table.js';
import { armTimers } from './fsm-timers.js';
import type {
  EventClass,
  FsmAnomaly,
  FsmEvent,
  FsmTransition,
  Limits,
  Outcome,
  Reply,
  StepResult,
  Tcb,
} from './fsm-types.js';
import type { TcpState } from './states.js';

/** Linux's defaults (sysctl values of a fresh network namespace, and the kernel's constants). */
export const LINUX_LIMITS: Limits = {
  synRetries: 6,
  synLinearTimeouts: 4,
  synackRetries: 5,
  retries2: 15,
  orphanRetries: 8,
  finTimeoutMs: 60_000,
  timeWaitMs: 60_000,
  rtoInitialMs: 1_000,
  rtoMinMs: 200,
  rtoMaxMs: 120_000,
};

export interface TcbInit {
  state?: TcpState;
  passive?: boolean;
  /** Our initial sequence number (the driver chooses it: the machine has no randomness). */
  iss?: number;
  /** The peer's initial sequence number, for an end made in a synchronized state. */
  irs?: number;
  rcvWnd?: number;
  limits?: Partial<Limits>;
}

/**
 * A fresh TCB, CLOSE by default. An end first seen mid-stream (a capture) can be made ESTABLISHED with
 * `iss` and `irs` set so that SND.NXT = ISS + 1 and RCV.NXT = IRS + 1.
 */
export function createTcb(init: TcbInit = {}): Tcb {
  const state = init.state ?? 'CLOSE';
  const iss = init.iss ?? 0;
  const synced = state !== 'CLOSE' && state !== 'LISTEN' && state !== 'SYN_SENT';
  const limits = { ...LINUX_LIMITS, ...init.limits };
  const irs = init.irs ?? (synced ? 0 : undefined);
  return {
    state,
    passive: init.passive ?? state === 'LISTEN',
    orphan: false,
    finQueued: false,
    iss,
    sndUna: synced ? (iss + 1) >>> 0 : iss,
    sndNxt: synced || state === 'SYN_SENT' ? (iss + 1) >>> 0 : iss,
    finSeq: undefined,
    irs,
    rcvNxt: irs === undefined ? undefined : (irs + 1) >>> 0,
    rcvWnd: init.rcvWnd ?? 65_535,
    unread: 0,
    ooo: [],
    retries: 0,
    rtoMs: state === 'SYN_SENT' || state === 'SYN_RECV' ? limits.rtoInitialMs : limits.rtoMinMs,
    timers: {},
    limits,
  };
}

/** Classes after which the rest of a segment is not looked at (RFC 9293: "drop the segment and return"). */
const FINAL = new Set<EventClass>(['rst', 'rst-inexact', 'rst-outside', 'syn', 'syn-dup', 'bad-ack']);

/** One event: the next TCB, the state changes, the anomalies met and the segments to send. */
export function step(tcb: Tcb, event: FsmEvent): StepResult {
  const transitions: FsmTransition[] = [];
  const anomalies: FsmAnomaly[] = [];
  const replies: Reply[] = [];
  const applied: { cls: EventClass; outcome: Outcome }[] = [];
  let t = tcb;
  let restart = false;
  for (const cls of classify(tcb, event)) {
    const outcome = outcomeOf(t.state, cls, t.passive);
    applied.push({ cls, outcome });
    if (outcome.anomaly)
      anomalies.push({ time: event.time, id: outcome.anomaly, state: t.state, cause: cls });
    t = applyEffects(t, cls, event);
    if (outcome.to !== undefined) {
      transitions.push({ time: event.time, from: t.state, to: outcome.to, cause: cls });
      t = enter(t, outcome.to);
    }
    if (outcome.restart === 'time-wait') restart = true;
    replies.push(...(outcome.send ?? []));
    if (FINAL.has(cls) || t.state === 'CLOSE' || (outcome.to === 'LISTEN' && tcb.state !== 'LISTEN')) break;
  }
  const incoming = event.kind === 'recv' ? event.segment : undefined;
  const built = replySegments(t, replies, incoming, event.kind === 'call' ? (event.bytes ?? 0) : 0);
  const next = armTimers(built.tcb, tcb, event.time, restart);
  return { tcb: next, transitions, anomalies, send: built.send, applied };
}

/** The bookkeeping of entering a state. */
function enter(t: Tcb, to: TcpState): Tcb {
  if (to === 'LISTEN') {
    // Back to LISTEN: the half-open connection is forgotten; the listener is what remains.
    return {
      ...t,
      state: to,
      irs: undefined,
      rcvNxt: undefined,
      sndUna: t.iss,
      sndNxt: t.iss,
      retries: 0,
      unread: 0,
    };
  }
  if (to === 'ESTABLISHED' && t.state !== 'ESTABLISHED') {
    return { ...t, state: to, retries: 0, rtoMs: t.limits.rtoMinMs };
  }
  return { ...t, state: to };
}
