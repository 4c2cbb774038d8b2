/**
 * Sorting an event into the table's columns, given the TCB: which checks of RFC 9293 section 3.10.7 a
 * received segment passes decides its classes, in the order the RFC applies them.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4 (the order of the checks, the acceptability test)
 */
import type { EventClass, FsmEvent, Tcb } from './fsm-types.js';
import { ACK, FIN, has, RST, type Segment, SYN, segSpace } from './segment.js';
import { seqAdd, seqGt, seqLe, seqLt } from './seq.js';

/** The classes of an event, in the order the step applies them (a segment may have several). */
export function classify(tcb: Tcb, ev: FsmEvent): EventClass[] {
  switch (ev.kind) {
    case 'call':
      if (ev.call === 'close' && tcb.unread > 0) return ['close-unread'];
      return [ev.call];
    case 'timer':
      if (ev.timer === 'retransmit') return [gaveUp(tcb, ev.time) ? 'rto-limit' : 'rto'];
      return [ev.timer];
    case 'sent':
      return [classifySent(tcb, ev.segment)];
    case 'recv':
      return classifyRecv(tcb, ev.segment);
  }
}

/**
 * How long connect() waits for an answer to its SYN, in ms: Linux's tcp_model_timeout() of
 * tcp_syn_retries from the initial RTO, doubling up to TCP_RTO_MAX (net/ipv4/tcp_timer.c).
 */
export function synTimeoutMs(l: Tcb['limits']): number {
  const thresh = Math.floor(Math.log2(l.rtoMaxMs / l.rtoInitialMs));
  const b = l.synRetries;
  if (b <= thresh) return ((2 << b) - 1) * l.rtoInitialMs;
  return ((2 << thresh) - 1) * l.rtoInitialMs + (b - thresh) * l.rtoMaxMs;
}

/**
 * Whether a retransmit timer firing at `time` ends the connection. SYN_SENT gives up by time since
 * the first SYN (tcp_write_timeout() → retransmits_timed_out()), so with tcp_syn_linear_timeouts the
 * count of retransmissions varies (10 with the defaults, 5 with tcp_syn_retries=2); the other states
 * count retransmissions.
 */
export function gaveUp(tcb: Tcb, time: number): boolean {
  if (tcb.state === 'SYN_SENT' && tcb.synAt !== undefined)
    return time - tcb.synAt >= synTimeoutMs(tcb.limits);
  return tcb.retries >= retryLimit(tcb);
}

/** How many retransmissions the end makes before giving up, as Linux counts them (net/ipv4/tcp_timer.c). */
export function retryLimit(tcb: Tcb): number {
  const l = tcb.limits;
  if (tcb.state === 'SYN_SENT') return l.synRetries;
  if (tcb.state === 'SYN_RECV') return tcb.passive ? l.synackRetries : l.synRetries;
  return tcb.orphan ? l.orphanRetries : l.retries2;
}

function classifySent(tcb: Tcb, seg: Segment): EventClass {
  if (has(seg, RST)) {
    // Our own reset carries our sequence number; an RST answering a stray segment carries its ACK.
    const ours = seqLe(tcb.sndUna, seg.seq) && seqLe(seg.seq, tcb.sndNxt);
    return ours || tcb.state === 'CLOSE' || tcb.state === 'LISTEN' ? 'sent-rst' : 'sent-other';
  }
  if (has(seg, SYN)) return has(seg, ACK) ? 'sent-syn-ack' : 'sent-syn';
  return has(seg, FIN) ? 'sent-fin' : 'sent-other';
}

function classifyRecv(tcb: Tcb, seg: Segment): EventClass[] {
  switch (tcb.state) {
    case 'CLOSE':
      if (has(seg, RST)) return ['rst'];
      if (has(seg, SYN)) return [has(seg, ACK) ? 'syn-ack' : 'syn'];
      return [has(seg, ACK) ? 'ack' : 'no-ack'];
    case 'LISTEN':
      if (has(seg, RST)) return ['rst'];
      if (has(seg, ACK)) return ['bad-ack'];
      return [has(seg, SYN) ? 'syn' : 'no-ack'];
    case 'SYN_SENT':
      return [classifySynSent(tcb, seg)];
    default:
      return classifySynced(tcb, seg);
  }
}

/** Section 3.10.7.3: first the ACK (it must acknowledge our SYN), then RST, then SYN. */
function classifySynSent(tcb: Tcb, seg: Segment): EventClass {
  const ackOk = has(seg, ACK) && seqGt(seg.ack, tcb.iss) && seqLe(seg.ack, tcb.sndNxt);
  if (has(seg, ACK) && !ackOk) return has(seg, RST) ? 'rst-inexact' : 'bad-ack';
  if (has(seg, RST)) return ackOk ? 'rst' : 'rst-inexact';
  if (has(seg, SYN)) return has(seg, ACK) ? 'syn-ack' : 'syn';
  return has(seg, ACK) ? 'ack' : 'no-ack';
}

/** The acceptability test of section 3.10.7.4 (true while RCV.NXT is unknown). */
export function acceptable(tcb: Tcb, seg: Segment): boolean {
  const nxt = tcb.rcvNxt;
  if (nxt === undefined) return true;
  const len = segSpace(seg);
  const wnd = tcb.rcvWnd;
  const inWin = (s: number) => seqLe(nxt, s) && seqLt(s, seqAdd(nxt, wnd));
  if (len === 0) return wnd === 0 ? seg.seq === nxt : inWin(seg.seq);
  if (wnd === 0) return false;
  return inWin(seg.seq) || inWin(seqAdd(seg.seq, len - 1));
}

function classifySynced(tcb: Tcb, seg: Segment): EventClass[] {
  if (has(seg, RST)) {
    if (tcb.rcvNxt === undefined || seg.seq === tcb.rcvNxt) return ['rst'];
    return [acceptable(tcb, seg) ? 'rst-inexact' : 'rst-outside'];
  }
  if (has(seg, SYN)) return [classifySyncedSyn(tcb, seg)];
  if (!acceptable(tcb, seg)) return ['outside-window'];
  if (!has(seg, ACK)) return ['no-ack'];
  const ack = classifyAck(tcb, seg);
  if (ack === 'bad-ack') return [ack];
  const out: EventClass[] = [ack];
  const nxt = tcb.rcvNxt;
  const afterClose = tcb.orphan && (tcb.state === 'FIN_WAIT1' || tcb.state === 'FIN_WAIT2');
  // Text and FIN beyond a hole wait in the out-of-order queue (Linux tcp_data_queue_ofo()).
  if (nxt !== undefined && seqGt(seg.seq, nxt) && (seg.len > 0 || has(seg, FIN))) {
    out.push(afterClose && seg.len > 0 ? 'data-after-close' : 'out-of-order');
    return out;
  }
  if (seg.len > 0 && (nxt === undefined || seqGt(seqAdd(seg.seq, seg.len), nxt))) {
    out.push(afterClose ? 'data-after-close' : 'data');
  }
  if (!out.includes('data-after-close') && (has(seg, FIN) || reachesQueuedFin(tcb, seg))) out.push('fin');
  return out;
}

/** Whether this in-order segment fills the hole before a queued FIN. */
function reachesQueuedFin(tcb: Tcb, seg: Segment): boolean {
  if (tcb.ooo.length === 0 || tcb.rcvNxt === undefined) return false;
  let nxt = seqGt(seqAdd(seg.seq, seg.len), tcb.rcvNxt) ? seqAdd(seg.seq, seg.len) : tcb.rcvNxt;
  for (const o of tcb.ooo) {
    if (seqGt(o.seq, nxt)) return false;
    const end = seqAdd(o.seq, o.len);
    if (seqGt(end, nxt)) nxt = end;
    if (o.fin) return true;
  }
  return false;
}

function classifySyncedSyn(tcb: Tcb, seg: Segment): EventClass {
  const nxt = tcb.rcvNxt;
  // Simultaneous open: the peer's SYN+ACK repeats its SYN and acknowledges ours (RFC 9293 Figure 8).
  if (
    tcb.state === 'SYN_RECV' &&
    has(seg, ACK) &&
    nxt !== undefined &&
    seqAdd(seg.seq, 1) === nxt &&
    seg.ack === tcb.sndNxt
  ) {
    return 'syn-ack';
  }
  if (tcb.state === 'TIME_WAIT') {
    // tcp_timewait_state_process(): only an ACK-less SYN beyond RCV.NXT, or with a newer timestamp
    // than the last one seen (RFC 6191), may open a new incarnation.
    const newerTs = seg.tsval !== undefined && tcb.tsRecent !== undefined && seqGt(seg.tsval, tcb.tsRecent);
    const beyond = nxt !== undefined && seqGt(seg.seq, nxt);
    return !has(seg, ACK) && (beyond || newerTs) ? 'syn' : 'syn-dup';
  }
  return seg.seq === tcb.irs ? 'syn-dup' : 'syn';
}

function classifyAck(tcb: Tcb, seg: Segment): EventClass {
  if (seqGt(seg.ack, tcb.sndNxt)) return 'bad-ack';
  if (tcb.state === 'SYN_RECV') return seqGt(seg.ack, tcb.sndUna) ? 'ack-of-syn' : 'bad-ack';
  const fin = tcb.finSeq;
  if (fin !== undefined && seg.ack === seqAdd(fin, 1) && seqLe(tcb.sndUna, fin)) return 'ack-of-fin';
  return 'ack';
}
