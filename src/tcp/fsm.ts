/**
 * The endpoint state machine: `step(tcb, event)` looks the event's classes up in the transition
 * table, updates the TCB, and returns the new TCB with its transitions, anomalies and the segments to
 * send, all as data. Pure: no I/O, no clock (time comes from the event), no randomness (the ISS is
 * given when the TCB is made). The simulator drives it; captures and traces observe with it.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10 (event processing)
 */
import { classify } from './fsm-classify.js';
import { applyEffectsTo, type Mutable } from './fsm-effects.js';
import { replySegments } from './fsm-reply.js';
import { outcomeOf } from './fsm-table.js';
import { armTimers, type TimerBasis } from './fsm-timers.js';
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
export const LINUX_LIMITS: Limits = Object.freeze({
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
});

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
  // Shared when the defaults are taken whole (a capture's flows make many TCBs).
  const limits =
    init.limits === undefined || Object.keys(init.limits).length === 0
      ? LINUX_LIMITS
      : { ...LINUX_LIMITS, ...init.limits };
  const irs = init.irs ?? (synced ? 0 : undefined);
  return new TcbRecord(
    state,
    init.passive ?? state === 'LISTEN',
    iss,
    synced ? (iss + 1) >>> 0 : iss,
    synced || state === 'SYN_SENT' ? (iss + 1) >>> 0 : iss,
    irs,
    irs === undefined ? undefined : (irs + 1) >>> 0,
    init.rcvWnd ?? 65_535,
    state === 'SYN_SENT' || state === 'SYN_RECV' ? limits.rtoInitialMs : limits.rtoMinMs,
    limits,
  );
}

/**
 * A TCB made by a constructor rather than an object literal, yet a plain object (its prototype is
 * Object.prototype, so it compares and prints as one). Sequence numbers are small integers or not
 * as they come: a literal's fields then change representation from one TCB to the next, which made
 * each new TCB cost a microsecond; a constructor's shape settles once (a capture makes millions).
 */
function tcbInit(
  this: Mutable<Tcb>,
  state: TcpState,
  passive: boolean,
  iss: number,
  sndUna: number,
  sndNxt: number,
  irs: number | undefined,
  rcvNxt: number | undefined,
  rcvWnd: number,
  rtoMs: number,
  limits: Limits,
) {
  this.state = state;
  this.passive = passive;
  this.orphan = false;
  this.finQueued = false;
  this.iss = iss;
  this.sndUna = sndUna;
  this.sndNxt = sndNxt;
  this.finSeq = undefined;
  this.irs = irs;
  this.rcvNxt = rcvNxt;
  this.rcvWnd = rcvWnd;
  this.unread = 0;
  this.ooo = NO_OOO;
  this.retries = 0;
  this.rtoMs = rtoMs;
  this.timers = {};
  this.limits = limits;
}
/** The empty out-of-order queue, shared: the queue is replaced, never changed in place. */
const NO_OOO: Tcb['ooo'] = Object.freeze([]);
const TcbRecord = tcbInit as unknown as new (...a: Parameters<typeof tcbInit>) => Tcb;
(TcbRecord as unknown as { prototype: object }).prototype = Object.prototype;

/** Classes after which the rest of a segment is not looked at (RFC 9293: "drop the segment and return"). */
const FINAL = new Set<EventClass>(['rst', 'rst-inexact', 'rst-outside', 'syn', 'syn-dup', 'bad-ack']);

/** One event: the next TCB, the state changes, the anomalies met and the segments to send. */
export function step(tcb: Tcb, event: FsmEvent): StepResult {
  // The step's own copy, changed in place by each stage; `tcb` itself is never touched.
  return stepTo({ ...tcb }, tcb, event);
}

/**
 * step() on a TCB the caller owns and shares with no one (an observer's machines): changed in place
 * and returned as the result's `tcb`, so a long-lived TCB is not copied at every segment.
 */
export function stepInPlace(tcb: Mutable<Tcb>, event: FsmEvent): StepResult {
  const before = { state: tcb.state, sndUna: tcb.sndUna, retries: tcb.retries, timers: tcb.timers };
  return stepTo(tcb, before, event);
}

/** The step, in `t`; `before` is what `t` was (it may be `t` itself only when unchanged until the timers). */
function stepTo(t: Mutable<Tcb>, before: TimerBasis, event: FsmEvent): StepResult {
  const transitions: FsmTransition[] = [];
  const anomalies: FsmAnomaly[] = [];
  const replies: Reply[] = [];
  const applied: { cls: EventClass; outcome: Outcome }[] = [];
  const fromListen = before.state === 'LISTEN';
  let restart = false;
  for (const cls of classify(t, event)) {
    const outcome = outcomeOf(t.state, cls, t.passive);
    applied.push({ cls, outcome });
    if (outcome.anomaly)
      anomalies.push({ time: event.time, id: outcome.anomaly, state: t.state, cause: cls });
    applyEffectsTo(t, cls, event);
    if (outcome.to !== undefined) {
      transitions.push({ time: event.time, from: t.state, to: outcome.to, cause: cls });
      enter(t, outcome.to);
    }
    if (outcome.restart === 'time-wait') restart = true;
    if (outcome.send) for (const r of outcome.send) replies.push(r);
    if (FINAL.has(cls) || t.state === 'CLOSE' || (outcome.to === 'LISTEN' && !fromListen)) break;
  }
  const incoming = event.kind === 'recv' ? event.segment : undefined;
  const send = replySegments(t, replies, incoming, event.kind === 'call' ? (event.bytes ?? 0) : 0);
  armTimers(t, before, event.time, restart);
  return { tcb: t, transitions, anomalies, send, applied };
}

/** The bookkeeping of entering a state, in the step's copy. */
function enter(t: Mutable<Tcb>, to: TcpState): void {
  if (to === 'LISTEN') {
    // Back to LISTEN: the half-open connection is forgotten; the listener is what remains.
    t.state = to;
    t.irs = undefined;
    t.rcvNxt = undefined;
    t.sndUna = t.iss;
    t.sndNxt = t.iss;
    t.retries = 0;
    t.unread = 0;
    return;
  }
  if (to === 'ESTABLISHED' && t.state !== 'ESTABLISHED') {
    t.retries = 0;
    t.rtoMs = t.limits.rtoMinMs;
  }
  t.state = to;
}
