/**
 * Arming and disarming the machine's timers after a step. The TCB carries deadlines; the driver fires
 * a `timer` event when one is due. Which state arms which timer is Linux's choice.
 * @see net/ipv4/tcp_timer.c; net/ipv4/tcp.c tcp_close() (the orphan FIN_WAIT2 timer)
 */
import type { Mutable } from './fsm-effects.js';
import type { Tcb, TimerName } from './fsm-types.js';
import { seqGt } from './seq.js';
import type { TcpState } from './states.js';

/** States that retransmit what is unacknowledged. */
const RETRANSMITTING = new Set<TcpState>([
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'CLOSE_WAIT',
  'FIN_WAIT1',
  'CLOSING',
  'LAST_ACK',
]);

/** What the timers are re-armed from: the TCB as the step found it. */
export type TimerBasis = Pick<Tcb, 'state' | 'sndUna' | 'retries' | 'timers'>;

/** No timer armed: one object for every TCB that has none. */
const NO_TIMERS: Tcb['timers'] = Object.freeze({});

/**
 * The TCB's deadlines brought up to date, in `t`, which the caller owns (`before` is the TCB the step
 * started from).
 */
export function armTimers(t: Mutable<Tcb>, before: TimerBasis, time: number, restartTimeWait: boolean): void {
  let timers: Partial<Record<TimerName, number>> | undefined;
  // No RTT estimate: the timeout is the state's base until retries double it (TCP_TIMEOUT_INIT, TCP_RTO_MIN).
  const rtoMs = t.retries === 0 ? baseRto(t) : t.rtoMs;
  const outstanding = RETRANSMITTING.has(t.state) && seqGt(t.sndNxt, t.sndUna);
  if (outstanding) {
    const progressed = seqGt(t.sndUna, before.sndUna) || t.retries !== before.retries;
    const was = before.timers.retransmit;
    const fresh = t.state !== before.state && (t.state === 'SYN_SENT' || t.state === 'SYN_RECV');
    timers = { retransmit: was === undefined || progressed || fresh ? time + rtoMs : was };
  }
  if (t.state === 'TIME_WAIT') {
    const was = before.state === 'TIME_WAIT' ? before.timers['time-wait'] : undefined;
    timers = {
      ...timers,
      'time-wait': was === undefined || restartTimeWait ? time + t.limits.timeWaitMs : was,
    };
  }
  if (t.state === 'FIN_WAIT2' && t.orphan) {
    timers = { ...timers, 'fin-wait2': before.timers['fin-wait2'] ?? time + t.limits.finTimeoutMs };
  }
  t.timers = timers === undefined ? NO_TIMERS : sameTimers(timers, before.timers) ? before.timers : timers;
  t.rtoMs = rtoMs;
}

function baseRto(t: Tcb): number {
  return t.state === 'SYN_SENT' || t.state === 'SYN_RECV' ? t.limits.rtoInitialMs : t.limits.rtoMinMs;
}

function sameTimers(a: Tcb['timers'], b: Tcb['timers']): boolean {
  return (
    a.retransmit === b.retransmit && a['time-wait'] === b['time-wait'] && a['fin-wait2'] === b['fin-wait2']
  );
}
