/** Test helpers: an end driven to a state through real events, and segments written the RFC's way. */
import {
  ACK,
  createTcb,
  FIN,
  type FsmEvent,
  PSH,
  RST,
  type Segment,
  SYN,
  step,
  type Tcb,
} from '../../src/tcp/index.js';

export { ACK, FIN, PSH, RST, SYN };

/** `<SEQ=seq><ACK=ack><CTL=flags>` with `len` octets of data. */
export function seg(flags: number, seq: number, ack = 0, len = 0): Segment {
  return { seq, ack, flags, len };
}

export const call = (c: Extract<FsmEvent, { kind: 'call' }>['call'], bytes?: number): FsmEvent => ({
  kind: 'call',
  time: 0,
  call: c,
  ...(bytes === undefined ? {} : { bytes }),
});
export const recv = (s: Segment, time = 0): FsmEvent => ({ kind: 'recv', time, segment: s });
export const timer = (t: 'retransmit' | 'time-wait' | 'fin-wait2', time = 0): FsmEvent => ({
  kind: 'timer',
  time,
  timer: t,
});

/** Steps through events, returning the final TCB. */
export function run(t: Tcb, ...events: FsmEvent[]): Tcb {
  for (const e of events) t = step(t, e).tcb;
  return t;
}

/**
 * Ends in each state with the numbers of RFC 9293's figures: we are ISS 100, the peer ISS 300.
 * `active` ends connected with connect(); `passive` ones came from listen().
 */
export function active(
  state:
    | 'SYN_SENT'
    | 'ESTABLISHED'
    | 'FIN_WAIT1'
    | 'FIN_WAIT2'
    | 'CLOSING'
    | 'TIME_WAIT'
    | 'CLOSE_WAIT'
    | 'LAST_ACK'
    | 'SYN_RECV',
): Tcb {
  const closed = createTcb({ iss: 100 });
  const synSent = run(closed, call('connect'));
  if (state === 'SYN_SENT') return synSent;
  if (state === 'SYN_RECV') return run(synSent, recv(seg(SYN, 300)));
  const est = run(synSent, recv(seg(SYN | ACK, 300, 101)));
  switch (state) {
    case 'ESTABLISHED':
      return est;
    case 'FIN_WAIT1':
      return run(est, call('close'));
    case 'FIN_WAIT2':
      return run(est, call('close'), recv(seg(ACK, 301, 102)));
    case 'CLOSING':
      return run(est, call('close'), recv(seg(FIN | ACK, 301, 101)));
    case 'TIME_WAIT':
      return run(est, call('close'), recv(seg(ACK, 301, 102)), recv(seg(FIN | ACK, 301, 102)));
    case 'CLOSE_WAIT':
      return run(est, recv(seg(FIN | ACK, 301, 101)));
    case 'LAST_ACK':
      return run(est, recv(seg(FIN | ACK, 301, 101)), call('close'));
  }
}

/** A listener, or a passive end half-open after the peer's SYN (the peer's ISS is 300). */
export function passive(state: 'LISTEN' | 'SYN_RECV' | 'ESTABLISHED'): Tcb {
  const listen = run(createTcb({ iss: 100 }), call('listen'));
  if (state === 'LISTEN') return listen;
  const synRecv = run(listen, recv(seg(SYN, 300)));
  return state === 'SYN_RECV' ? synRecv : run(synRecv, recv(seg(ACK, 301, 101)));
}
