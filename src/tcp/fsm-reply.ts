/**
 * Building the segments a step sends from the replies its outcomes asked for, and advancing SND.NXT.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.1 (the form of an RST answering a segment)
 * @see net/ipv4/tcp_output.c tcp_send_active_reset() (RST+ACK from SND.NXT)
 */
import type { Mutable } from './fsm-effects.js';
import type { Outgoing, Reply, Tcb } from './fsm-types.js';
import { ACK, FIN, has, PSH, RST, type Segment, SYN, segSpace } from './segment.js';
import { seqAdd, seqDiff, seqGt, seqLe } from './seq.js';

/**
 * The segments for `replies`, merged (one ACK is enough; a reset replaces everything else), with
 * SND.NXT and the FIN's place advanced in `t`, which the caller owns (a step's working copy).
 */
export function replySegments(
  t: Mutable<Tcb>,
  replies: readonly Reply[],
  incoming: Segment | undefined,
  bytes: number,
): Outgoing[] {
  if (replies.length === 0) return [];
  let wanted = replies.length === 1 ? replies : [...new Set(replies)];
  if (wanted.includes('RST') || wanted.includes('RST-reply')) {
    wanted = wanted.filter((r) => r === 'RST' || r === 'RST-reply').slice(0, 1);
  }
  // A SYN+ACK or a FIN carries the acknowledgment: a separate ACK would be a duplicate.
  if (wanted.some((r) => r === 'SYN-ACK' || r === 'FIN' || r === 'data' || r === 'retransmit')) {
    wanted = wanted.filter((r) => r !== 'ACK');
  }
  if (wanted.includes('challenge-ACK')) wanted = wanted.filter((r) => r !== 'ACK');
  const send: Outgoing[] = [];
  for (const reply of wanted) {
    const segment = build(t, reply, incoming, bytes);
    if (segment) send.push({ segment, reply });
  }
  return send;
}

function build(
  t: Mutable<Tcb>,
  reply: Reply,
  incoming: Segment | undefined,
  bytes: number,
): Segment | undefined {
  const ack = t.rcvNxt ?? 0;
  const ackFlag = t.rcvNxt === undefined ? 0 : ACK;
  switch (reply) {
    case 'SYN':
      t.sndUna = t.iss;
      t.sndNxt = seqAdd(t.iss, 1);
      return seg(t.iss, 0, SYN);
    case 'SYN-ACK':
      if (!seqGt(t.sndNxt, t.iss)) t.sndNxt = seqAdd(t.iss, 1);
      return seg(t.iss, ack, SYN | ACK);
    case 'ACK':
    case 'challenge-ACK':
      return seg(t.sndNxt, ack, ACK);
    case 'FIN': {
      const at = t.sndNxt;
      t.finSeq = at;
      t.sndNxt = seqAdd(at, 1);
      return seg(at, ack, FIN | ackFlag);
    }
    case 'data': {
      if (bytes <= 0) return undefined;
      const at = t.sndNxt;
      t.sndNxt = seqAdd(at, bytes);
      return seg(at, ack, ACK | PSH, bytes);
    }
    case 'RST':
      return seg(t.sndNxt, ack, RST | ackFlag);
    case 'RST-reply':
      return incoming ? resetFor(incoming) : undefined;
    case 'retransmit':
      return retransmission(t);
  }
}

/** RFC 9293 section 3.10.7.1: `<SEQ=SEG.ACK><CTL=RST>`, or `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`. */
export function resetFor(incoming: Segment): Segment {
  if (has(incoming, ACK)) return seg(incoming.ack, 0, RST);
  return seg(0, seqAdd(incoming.seq, segSpace(incoming)), RST | ACK);
}

/** The oldest unacknowledged segment, again: SYN, SYN+ACK, or the data from SND.UNA with the FIN if sent. */
function retransmission(t: Tcb): Segment | undefined {
  if (t.state === 'SYN_SENT') return seg(t.iss, 0, SYN);
  if (t.state === 'SYN_RECV' && !seqGt(t.sndUna, t.iss)) return seg(t.iss, t.rcvNxt ?? 0, SYN | ACK);
  if (!seqGt(t.sndNxt, t.sndUna)) return undefined;
  const fin = t.finSeq !== undefined && seqLe(t.sndUna, t.finSeq);
  const len = seqDiff(t.sndUna, fin ? t.finSeq! : t.sndNxt);
  const flags = ACK | (fin ? FIN : 0) | (len > 0 ? PSH : 0);
  return seg(t.sndUna, t.rcvNxt ?? 0, flags, len);
}

function seg(seq: number, ack: number, flags: number, len = 0): Segment {
  return { seq: seq >>> 0, ack: ack >>> 0, flags, len };
}
