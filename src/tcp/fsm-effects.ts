/**
 * What an event class does to the TCB's variables (sequence numbers, flags), apart from the state:
 * the bookkeeping of RFC 9293 section 3.10.7 that lets the next segment be judged.
 */
import type { EventClass, FsmEvent, OutOfOrder, Tcb } from './fsm-types.js';
import { ACK, FIN, has, type Segment } from './segment.js';
import { seqAdd, seqGt } from './seq.js';

/** A TCB whose fields may be assigned: a step's own working copy. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The TCB after the bookkeeping of one class (the state itself is the table's business). */
export function applyEffects(tcb: Tcb, cls: EventClass, ev: FsmEvent): Tcb {
  const t: Mutable<Tcb> = { ...tcb };
  applyEffectsTo(t, cls, ev);
  return t;
}

/** applyEffects on a TCB the caller owns (a step's working copy), changed in place. */
export function applyEffectsTo(t: Mutable<Tcb>, cls: EventClass, ev: FsmEvent): void {
  if (ev.kind === 'call') {
    callEffects(t, cls);
    if (cls === 'connect') t.synAt = ev.time;
  } else if (ev.kind === 'recv') {
    recvEffects(t, cls, ev.segment);
    const ts = ev.segment.tsval;
    if (ts !== undefined && (t.tsRecent === undefined || seqGt(ts, t.tsRecent))) t.tsRecent = ts;
  } else if (ev.kind === 'sent') {
    sentEffects(t, cls, ev.segment);
    if (cls === 'sent-syn' && t.synAt === undefined) t.synAt = ev.time;
  } else if (cls === 'rto') {
    const retries = t.retries + 1;
    // A SYN's RTO stays at a second for its first retransmissions (tcp_syn_linear_timeouts), then doubles.
    const linear = t.state === 'SYN_SENT' && retries <= t.limits.synLinearTimeouts;
    t.retries = retries;
    t.rtoMs = linear ? t.rtoMs : Math.min(t.rtoMs * 2, t.limits.rtoMaxMs);
  }
}

function callEffects(t: Mutable<Tcb>, cls: EventClass): void {
  switch (cls) {
    case 'listen':
      if (t.state === 'CLOSE') t.passive = true;
      break;
    case 'read':
      t.unread = 0;
      break;
    case 'close':
    case 'close-unread':
    case 'abort':
      t.orphan = true;
      t.unread = 0;
      t.finQueued = true;
      break;
    case 'shutdown':
      t.finQueued = true;
      break;
  }
}

export function recvEffects(t: Mutable<Tcb>, cls: EventClass, seg: Segment): void {
  switch (cls) {
    case 'syn':
      if (t.state === 'TIME_WAIT' && t.passive) reincarnate(t);
      if (t.state === 'LISTEN' || t.state === 'SYN_SENT' || t.state === 'TIME_WAIT') {
        t.irs = seg.seq;
        t.rcvNxt = seqAdd(seg.seq, 1);
      }
      break;
    case 'syn-ack':
      if (t.state === 'SYN_SENT') {
        t.irs = seg.seq;
        t.rcvNxt = seqAdd(seg.seq, 1);
      }
      advanceUna(t, seg);
      break;
    case 'ack-of-syn':
    case 'ack-of-fin':
    case 'ack':
      advanceUna(t, seg);
      break;
    case 'data':
      receive(t, seg.seq, seg.len);
      break;
    case 'out-of-order':
      t.ooo = [
        ...t.ooo.filter((o) => o.seq !== seg.seq),
        { seq: seg.seq, len: seg.len, fin: has(seg, FIN) },
      ].sort((a, b) => (seqGt(a.seq, b.seq) ? 1 : -1));
      break;
    case 'fin':
      // In order, or reached through the queue: the FIN takes the next sequence number.
      if (has(seg, FIN) || t.rcvNxt === undefined) t.rcvNxt = seqAdd(seg.seq, seg.len + 1);
      else t.rcvNxt = seqAdd(t.rcvNxt, 1);
      if (t.ooo.length > 0) t.ooo = [];
      break;
  }
}

/** Takes payload `[seq, seq+len)` in, then whatever of the out-of-order queue now follows on. */
function receive(t: Mutable<Tcb>, seq: number, len: number): void {
  take(t, seq, len);
  // Nothing queued (the usual case): the queue stays as it is.
  if (t.ooo.length === 0) return;
  const rest: OutOfOrder[] = [];
  for (const o of t.ooo) {
    if (!seqGt(o.seq, t.rcvNxt!)) {
      take(t, o.seq, o.len);
      if (o.fin) rest.push({ ...o, len: 0, seq: t.rcvNxt! });
    } else rest.push(o);
  }
  t.ooo = rest;
}

/** Payload `[from, from+n)` taken in, as far as it goes beyond RCV.NXT. */
function take(t: Mutable<Tcb>, from: number, n: number): void {
  const end = seqAdd(from, n);
  const nxt = t.rcvNxt ?? from;
  if (seqGt(end, nxt)) {
    t.unread += (end - nxt) >>> 0;
    t.rcvNxt = end;
  }
}

/** TIME_WAIT reopened by a new SYN (Linux TCP_TW_SYN): a fresh connection, ISS beyond the old SND.NXT. */
function reincarnate(t: Mutable<Tcb>): void {
  // tcp_timewait_state_process(): isn = tw_snd_nxt + 65535 + 2.
  t.iss = seqAdd(t.sndNxt, 65537);
  t.sndUna = t.iss;
  t.sndNxt = t.iss;
  t.finSeq = undefined;
  t.orphan = false;
  t.finQueued = false;
  t.unread = 0;
}

function advanceUna(t: Mutable<Tcb>, seg: Segment): void {
  if (!has(seg, ACK) || !seqGt(seg.ack, t.sndUna) || seqGt(seg.ack, t.sndNxt)) return;
  t.sndUna = seg.ack;
  t.retries = 0;
  t.rtoMs = t.limits.rtoMinMs;
}

/** An observer learns the end's own numbers from the segments it sends. */
export function sentEffects(t: Mutable<Tcb>, cls: EventClass, seg: Segment): void {
  // A SYN leaving before anything of ours is acknowledged tells the ISS (a retransmission repeats it).
  if ((cls === 'sent-syn' || cls === 'sent-syn-ack') && !seqGt(t.sndUna, t.iss)) {
    t.iss = seg.seq;
    t.sndUna = seg.seq;
    t.sndNxt = seqAdd(seg.seq, 1);
  }
  if (cls === 'sent-syn-ack' && t.rcvNxt === undefined) {
    t.rcvNxt = seg.ack;
    t.irs = seqAdd(seg.ack, -1);
  }
  if (cls === 'sent-fin' || cls === 'sent-other') {
    const end = seqAdd(seg.seq, seg.len);
    if (has(seg, FIN) && t.finSeq === undefined) {
      t.finSeq = end;
      t.finQueued = true;
    }
    const next = has(seg, FIN) ? seqAdd(end, 1) : end;
    if (seqGt(next, t.sndNxt)) t.sndNxt = next;
    if (has(seg, ACK) && t.rcvNxt === undefined) t.rcvNxt = seg.ack;
  }
}
