/**
 * Connections' lives from their transitions, like bcc's tcplife, and how long each state lasts.
 * Pure. A life ends with the socket's move to CLOSE (or an inferred TIME_WAIT); its duration is
 * given only when its birth was seen (connect() or the accepted handshake). Durations of states the
 * events cannot time (a request's SYN_RECV, an orphan's FIN_WAIT2, TIME_WAIT) are never made up:
 * they are counted as unmeasured, with the reason.
 */
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { TraceOwner, TraceTransition } from './types.js';

/** One finished connection. */
export interface ConnectionLife {
  /** When it ended (ms since the epoch). */
  timeMs: number;
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  owner?: TraceOwner;
  /** How it began: connect() (client), an accepted handshake (server), or before the trace. */
  opened: 'connect' | 'accept' | 'unseen';
  /** The states it went through, in order, the last being where it ended. */
  states: TcpState[];
  /** From connect() or the accepted handshake to the end, when the beginning was seen. */
  durationMs?: number;
  /** Measured time in each state (summed when a state repeats). */
  stateMs: Partial<Record<TcpState, number>>;
  /** Where its transitions came from: kernel events, or socket tables compared (`--sampled`). */
  source: 'kernel' | 'sampled';
}

interface Open {
  first: TraceTransition;
  opened: ConnectionLife['opened'];
  states: TcpState[];
  stateMs: Partial<Record<TcpState, number>>;
  owner?: TraceOwner;
}

function keyOf(t: TraceTransition): string {
  return t.skaddr ?? `${t.local.address} ${t.local.port} ${t.remote.address} ${t.remote.port}`;
}

/** Follows transitions and hands back each connection as it ends. */
export class LifeTracker {
  private readonly open = new Map<string, Open>();

  push(t: TraceTransition): ConnectionLife | undefined {
    if (t.from === 'LISTEN' && t.to !== 'SYN_RECV') return undefined; // a listener's own life
    if (t.to === 'LISTEN') return undefined;
    const key = keyOf(t);
    let o = this.open.get(key);
    if (!o && t.skaddr === undefined && t.from === 'SYN_SENT') {
      // Text pipe: the port was 0 at CLOSE→SYN_SENT.
      const zero = `${t.local.address} 0 ${t.remote.address} ${t.remote.port}`;
      o = this.open.get(zero);
      if (o) {
        this.open.delete(zero);
        this.open.set(key, o);
      }
    }
    if (!o) {
      const opened = t.from === 'CLOSE' ? 'connect' : t.from === 'LISTEN' ? 'accept' : 'unseen';
      o = {
        first: t,
        opened,
        states: t.from === 'CLOSE' || t.from === 'LISTEN' ? [] : [t.from],
        stateMs: {},
      };
      this.open.set(key, o);
    }
    if (t.owner && !o.owner) o.owner = t.owner;
    if (t.durationMs !== undefined) o.stateMs[t.from] = (o.stateMs[t.from] ?? 0) + t.durationMs;
    o.states.push(t.to);
    if (t.to !== 'CLOSE' && t.to !== 'TIME_WAIT') return undefined;
    this.open.delete(key);
    const life: ConnectionLife = {
      timeMs: t.timeMs,
      family: t.family,
      local: t.local,
      remote: t.remote,
      opened: o.opened,
      states: o.states,
      stateMs: o.stateMs,
      source: t.source,
    };
    if (o.owner) life.owner = o.owner;
    if (o.opened !== 'unseen') life.durationMs = t.timeMs - o.first.timeMs;
    return life;
  }
}

/** Why a state's time cannot be measured from the events. */
export const UNMEASURED: Partial<Record<TcpState, string>> = {
  SYN_RECV: 'request sockets are never announced: pair with snapshots to time them',
  FIN_WAIT2: 'after our FIN is acknowledged an orphan lives on in a timewait socket, unannounced',
  TIME_WAIT: 'timewait sockets are never announced (a fixed 60 s on Linux unless reused or reset)',
};

/** A log2 histogram of durations in microseconds: bucket i holds [2^i, 2^(i+1)) µs, bucket 0 [0, 2). */
export interface DurationHistogram {
  count: number;
  minMs: number;
  maxMs: number;
  sumMs: number;
  buckets: number[];
}

/** Per-state histograms of measured times, and counts of the times no event could measure. */
export class StateDurations {
  readonly states = new Map<TcpState, DurationHistogram>();
  readonly unmeasured = new Map<TcpState, number>();

  /** Adds a transition's measured time in its `from` state, or counts it unmeasured. */
  add(t: TraceTransition): void {
    if (t.from === 'CLOSE') return;
    if (t.durationMs === undefined) {
      this.unmeasured.set(t.from, (this.unmeasured.get(t.from) ?? 0) + 1);
      return;
    }
    this.addMs(t.from, t.durationMs);
  }

  addMs(state: TcpState, ms: number): void {
    let h = this.states.get(state);
    if (!h) {
      h = { count: 0, minMs: ms, maxMs: ms, sumMs: 0, buckets: [] };
      this.states.set(state, h);
    }
    h.count++;
    h.sumMs += ms;
    h.minMs = Math.min(h.minMs, ms);
    h.maxMs = Math.max(h.maxMs, ms);
    const us = ms * 1000;
    const i = us < 2 ? 0 : Math.floor(Math.log2(us));
    while (h.buckets.length <= i) h.buckets.push(0);
    h.buckets[i] = (h.buckets[i] ?? 0) + 1;
  }
}
