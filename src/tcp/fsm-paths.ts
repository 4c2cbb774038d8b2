/**
 * Walking the machine as a graph: a concrete example event for each event class in a given TCB (as
 * a correct peer, program or timer would produce it), and the shortest event path from CLOSE to
 * every state. Tests use them to check the table by structure; tools can use them to teach.
 */

import { createTcb, step } from './fsm.js';
import { classify, gaveUp, synTimeoutMs } from './fsm-classify.js';
import { EVENT_CLASSES, type EventClass, type FsmEvent, type Tcb } from './fsm-types.js';
import { ACK, FIN, PSH, RST, type Segment, SYN } from './segment.js';
import { seqAdd } from './seq.js';
import type { TcpState } from './states.js';

/** The peer's initial sequence number when the TCB does not know one yet. */
const PEER_ISS = 5000;

const seg = (flags: number, seq: number, ack: number, len = 0): Segment => ({
  seq: seq >>> 0,
  ack: ack >>> 0,
  flags,
  len,
});

/** A segment of class `cls` for this TCB, as the peer would send it, or undefined. */
function exampleSegment(t: Tcb, cls: EventClass): Segment | undefined {
  const nxt = t.rcvNxt ?? PEER_ISS;
  const una = t.sndUna;
  const synSent = t.state === 'SYN_SENT';
  switch (cls) {
    case 'rst':
      return synSent ? seg(RST | ACK, 0, t.sndNxt) : seg(RST, nxt, 0);
    case 'rst-inexact':
      return synSent ? seg(RST, 0, 0) : seg(RST, seqAdd(nxt, 10), 0);
    case 'rst-outside':
      return seg(RST, seqAdd(nxt, t.rcvWnd + 10), 0);
    case 'syn':
      return seg(SYN, t.irs === undefined ? PEER_ISS : seqAdd(t.irs, 100_000), 0);
    case 'syn-dup':
      return t.irs === undefined ? undefined : seg(SYN, t.irs, 0);
    case 'syn-ack':
      return seg(SYN | ACK, t.irs ?? PEER_ISS, t.sndNxt);
    case 'bad-ack':
      return seg(ACK, nxt, synSent ? t.iss : seqAdd(t.sndNxt, 1000));
    case 'outside-window':
      return t.state === 'TIME_WAIT'
        ? seg(FIN | ACK, seqAdd(nxt, -1), t.sndNxt)
        : seg(ACK, seqAdd(nxt, -1000), una);
    case 'no-ack':
      return seg(FIN, nxt, 0);
    case 'ack-of-syn':
    case 'ack':
      return seg(ACK, nxt, cls === 'ack-of-syn' || synSent ? t.sndNxt : una);
    case 'ack-of-fin':
      return t.finSeq === undefined ? undefined : seg(ACK, nxt, seqAdd(t.finSeq, 1));
    case 'data':
    case 'data-after-close':
      return seg(ACK | PSH, nxt, una, 100);
    case 'out-of-order':
      return seg(ACK | PSH, seqAdd(nxt, 100), una, 50);
    case 'fin':
      return seg(FIN | ACK, nxt, una);
    default:
      return undefined;
  }
}

/** What the end itself would send for a `sent-*` class. */
function exampleSent(t: Tcb, cls: EventClass): Segment | undefined {
  const ack = t.rcvNxt ?? 0;
  switch (cls) {
    case 'sent-syn':
      return seg(SYN, t.iss, 0);
    case 'sent-syn-ack':
      return seg(SYN | ACK, t.iss, t.rcvNxt ?? PEER_ISS + 1);
    case 'sent-fin':
      return seg(FIN | ACK, t.sndNxt, ack);
    case 'sent-rst':
      return seg(RST | ACK, t.sndNxt, ack);
    case 'sent-other':
      return seg(ACK, t.sndNxt, ack);
    default:
      return undefined;
  }
}

/**
 * A concrete event of class `cls` for this TCB, or undefined when none arises (an ACK of our FIN
 * before a FIN was sent). The event is checked: `classify` puts it in `cls`.
 */
export function exampleEvent(t: Tcb, cls: EventClass, time = 0): FsmEvent | undefined {
  let ev: FsmEvent | undefined;
  if (cls === 'rto' || cls === 'rto-limit') {
    // SYN_SENT gives up by time: its example timer fires when connect() would fail.
    const at =
      cls === 'rto-limit' && t.state === 'SYN_SENT' && t.synAt !== undefined
        ? t.synAt + synTimeoutMs(t.limits)
        : time;
    ev = { kind: 'timer', time: Math.max(time, at), timer: 'retransmit' };
  } else if (cls === 'time-wait' || cls === 'fin-wait2') ev = { kind: 'timer', time, timer: cls };
  else if (cls.startsWith('sent-')) {
    const s = exampleSent(t, cls);
    ev = s && { kind: 'sent', time, segment: s };
  } else if ((EVENT_CLASSES as readonly string[]).indexOf(cls) < 8) {
    const call = cls === 'close-unread' ? 'close' : (cls as Exclude<typeof cls, 'close-unread'>);
    ev = { kind: 'call', time, call: call as 'listen', ...(call === 'send' ? { bytes: 100 } : {}) };
  } else {
    const s = exampleSegment(t, cls);
    ev = s && { kind: 'recv', time, segment: s };
  }
  if (ev === undefined || !classify(t, ev).includes(cls)) return undefined;
  if (cls === 'rto-limit' && !gaveUp(t, ev.kind === 'timer' ? ev.time : time)) return undefined;
  return ev;
}

/** The classes that drive an end (everything but the `sent-*` classes an observer uses). */
export const DRIVING_CLASSES: readonly EventClass[] = EVENT_CLASSES.filter((c) => !c.startsWith('sent-'));

/**
 * The shortest event path from a fresh TCB (CLOSE, ISS 100) to each state, breadth first over the
 * example events of `classes`; ties go to the class listed first (calls, then segments, then timers).
 */
export function shortestPaths(
  start: Tcb = createTcb({ iss: 100 }),
  classes: readonly EventClass[] = DRIVING_CLASSES,
): Map<TcpState, FsmEvent[]> {
  const paths = new Map<TcpState, FsmEvent[]>([[start.state, []]]);
  let frontier: { tcb: Tcb; path: FsmEvent[] }[] = [{ tcb: start, path: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { tcb, path } of frontier) {
      for (const cls of classes) {
        const ev = exampleEvent(tcb, cls, path.length);
        if (!ev) continue;
        const r = step(tcb, ev);
        if (paths.has(r.tcb.state)) continue;
        const p = [...path, ev];
        paths.set(r.tcb.state, p);
        next.push({ tcb: r.tcb, path: p });
      }
    }
    frontier = next;
  }
  return paths;
}
