/**
 * An observer's step for the segments of an ordinary connection: what `stepInPlace` does with a
 * segment seen leaving (`sent`) or arriving (`recv`), for the handshake, in-order data and ACKs, and
 * the FINs of a close, without the general machinery's lists and objects. A capture steps millions
 * of segments; most are these. Anything else (an RST, a SYN in a synchronized state, a segment out of
 * order or outside the window, an outcome that names an anomaly, restarts a timer or sends anything
 * but an ACK or the SYN+ACK) is left to `stepInPlace`: `observeStep` then returns false and has
 * changed nothing. The outcomes are the transition table's own (`outcomeOf`) and the effects
 * fsm-effects.ts's, so the machine's rules stay written in one place; the equality with
 * `stepInPlace` is a property test.
 */
import { type Mutable, recvEffects, sentEffects } from './fsm-effects.js';
import { outcomeOf } from './fsm-table.js';
import { armTimers, type TimerBasis } from './fsm-timers.js';
import type { EventClass, Outcome, Tcb } from './fsm-types.js';
import { ACK, FIN, RST, type Segment, SYN } from './segment.js';
import { seqAdd, seqGt, seqLe, seqLt } from './seq.js';
import type { TcpState } from './states.js';

/** Where `observeStep` writes the transitions it made (at most two: an ACK of our FIN with the peer's FIN). */
export interface ObservedTransitions {
  count: number;
  readonly from: TcpState[];
  readonly to: TcpState[];
  readonly cause: EventClass[];
}

/** A fresh place for `observeStep`'s transitions, to be reused from one step to the next. */
export function observedTransitions(): ObservedTransitions {
  return { count: 0, from: [], to: [], cause: [] };
}

const basis: Mutable<TimerBasis> = { state: 'CLOSE', sndUna: 0.5, retries: 0, timers: {} };

/** The classes of a segment (at most three) and their outcomes, found before anything changes. */
const classes: EventClass[] = ['ack', 'ack', 'ack'];
let nClasses = 0;
const outcomes: Outcome[] = [];

/**
 * `stepInPlace(t, { kind, time, segment })` for the usual segments: true when done, with `out`
 * holding its transitions (it meets no anomaly and its replies are not needed by an observer);
 * false, with `t` untouched, when the segment is not one of them.
 */
export function observeStep(
  t: Mutable<Tcb>,
  kind: 'sent' | 'recv',
  seg: Segment,
  time: number,
  out: ObservedTransitions,
): boolean {
  out.count = 0;
  const flags = seg.flags;
  if ((flags & RST) !== 0 || seg.tsval !== undefined || t.orphan) return false;
  nClasses = 0;
  if (kind === 'sent') {
    classes[nClasses++] =
      (flags & SYN) !== 0
        ? (flags & ACK) !== 0
          ? 'sent-syn-ack'
          : 'sent-syn'
        : (flags & FIN) !== 0
          ? 'sent-fin'
          : 'sent-other';
  } else if (!classifyRecv(t, seg)) return false;

  // The outcomes in turn, as the step would meet them; the step stops after a final class, or in CLOSE.
  let nOutcomes = 0;
  let state = t.state;
  let synAck = false;
  for (let i = 0; i < nClasses; i++) {
    const cls = classes[i]!;
    const o = outcomeOf(state, cls, t.passive);
    if (o.anomaly !== undefined || o.restart !== undefined || o.to === 'LISTEN') return false;
    const send = o.send;
    if (send !== undefined)
      for (let k = 0; k < send.length; k++) {
        if (send[k] === 'SYN-ACK') synAck = true;
        else if (send[k] !== 'ACK') return false;
      }
    outcomes[nOutcomes++] = o;
    if (o.to !== undefined) state = o.to;
    if (cls === 'syn' || state === 'CLOSE') break;
  }

  // What the timers are re-armed from (armTimers keeps none of it: one object serves every step).
  const before = basis;
  before.state = t.state;
  before.sndUna = t.sndUna;
  before.retries = t.retries;
  before.timers = t.timers;
  for (let i = 0; i < nOutcomes; i++) {
    const cls = classes[i]!;
    if (kind === 'sent') {
      sentEffects(t, cls, seg);
      if (cls === 'sent-syn' && t.synAt === undefined) t.synAt = time;
    } else recvEffects(t, cls, seg);
    const to = outcomes[i]!.to;
    if (to !== undefined) {
      const k = out.count++;
      out.from[k] = t.state;
      out.to[k] = to;
      out.cause[k] = cls;
      if (to === 'ESTABLISHED' && t.state !== 'ESTABLISHED') {
        t.retries = 0;
        t.rtoMs = t.limits.rtoMinMs;
      }
      t.state = to;
    }
  }
  // The SYN+ACK a listener answers with takes a sequence number (fsm-reply.ts); an ACK takes none.
  if (synAck && !seqGt(t.sndNxt, t.iss)) t.sndNxt = seqAdd(t.iss, 1);
  armTimers(t, before, time, false);
  return true;
}

/** The classes of an arriving segment, as fsm-classify.ts sorts it, for the cases handled here. */
function classifyRecv(t: Tcb, seg: Segment): boolean {
  const flags = seg.flags;
  switch (t.state) {
    case 'CLOSE':
      return false;
    case 'LISTEN':
      if ((flags & (SYN | ACK | FIN)) !== SYN) return false;
      classes[nClasses++] = 'syn';
      return true;
    case 'SYN_SENT': {
      if ((flags & (SYN | ACK | FIN)) !== (SYN | ACK)) return false;
      if (!seqGt(seg.ack, t.iss) || !seqLe(seg.ack, t.sndNxt)) return false;
      classes[nClasses++] = 'syn-ack';
      return true;
    }
  }
  // A synchronized state: an acceptable ACK, in order, maybe with data and a FIN.
  if ((flags & (SYN | ACK)) !== ACK || t.ooo.length > 0) return false;
  const nxt = t.rcvNxt;
  if (nxt === undefined || seg.seq !== nxt) return false;
  if (seg.len > 0x7fff_ffff) return false;
  // The acceptability test (fsm-classify.ts) for a segment at RCV.NXT: inside a window that is open,
  // or empty at a closed one.
  const space = seg.len + ((flags & FIN) !== 0 ? 1 : 0);
  if (!seqLt(0, t.rcvWnd) && !(space === 0 && t.rcvWnd === 0)) return false;
  if (seqGt(seg.ack, t.sndNxt)) return false;
  if (t.state === 'SYN_RECV') {
    if (!seqGt(seg.ack, t.sndUna)) return false;
    classes[nClasses++] = 'ack-of-syn';
  } else {
    const fin = t.finSeq;
    classes[nClasses++] =
      fin !== undefined && seg.ack === seqAdd(fin, 1) && seqLe(t.sndUna, fin) ? 'ack-of-fin' : 'ack';
  }
  if (seg.len > 0) classes[nClasses++] = 'data';
  if ((flags & FIN) !== 0) classes[nClasses++] = 'fin';
  return true;
}
