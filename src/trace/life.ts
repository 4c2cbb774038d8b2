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
  /**
   * Bytes each way from tcp_info (bytes_acked, bytes_received) at the last socket table that held
   * it, `ageMs` before it ended: absent when no table caught it open.
   */
  bytes?: { sent: number; received: number; ageMs: number };
}

/** A socket in a table with its tcp_info counters, when read. */
export interface SocketBytes {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly info?: { bytes_acked?: number; bytes_received?: number };
}

interface Open {
  first: TraceTransition;
  opened: ConnectionLife['opened'];
  states: TcpState[];
  stateMs: Partial<Record<TcpState, number>>;
  owner?: TraceOwner;
  /** Its 4-tuple once its local port is known. */
  tuple?: string;
}

/** Tables whose bytes are kept (two at least): the events of a connection's end come within a second or so. */
const TABLES_KEPT_MS = 2000;

const tupleOf = (l: Endpoint, r: Endpoint) => `${l.address} ${l.port} ${r.address} ${r.port}`;

function keyOf(t: TraceTransition): string {
  return t.skaddr ?? `${t.local.address} ${t.local.port} ${t.remote.address} ${t.remote.port}`;
}

/** Follows transitions and hands back each connection as it ends. */
export class LifeTracker {
  private readonly open = new Map<string, Open>();
  /**
   * Bytes by 4-tuple in the last few tables, newest first: a connection takes the bytes of the
   * newest table that held it when it ends (its events may be read after tables that saw it).
   */
  private tables: { atMs: number; bytes: Map<string, { sent: number; received: number }> }[] = [];

  /** Bytes of the open connections in a table read at `atMs`. */
  observe(atMs: number, sockets: readonly SocketBytes[]): void {
    const bytes = new Map<string, { sent: number; received: number }>();
    for (const s of sockets) {
      const i = s.info;
      if (i?.bytes_acked === undefined || i.bytes_received === undefined) continue;
      bytes.set(tupleOf(s.local, s.remote), { sent: i.bytes_acked, received: i.bytes_received });
    }
    this.tables.unshift({ atMs, bytes });
    while (this.tables.length > 2 && atMs - this.tables[this.tables.length - 1]!.atMs > TABLES_KEPT_MS)
      this.tables.pop();
  }

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
    if (o.tuple === undefined && t.local.port !== 0) o.tuple = tupleOf(t.local, t.remote);
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
    const tuple = o.tuple;
    const seen = tuple === undefined ? undefined : this.tables.find((x) => x.bytes.has(tuple));
    const b = seen?.bytes.get(tuple!);
    if (seen && b)
      life.bytes = { sent: b.sent, received: b.received, ageMs: Math.max(0, t.timeMs - seen.atMs) };
    return life;
  }
}

/** Why a state's time cannot be measured from the events. */
export const UNMEASURED: Partial<Record<TcpState, string>> = {
  SYN_RECV: 'request sockets are never announced: only those a socket table caught are timed',
  FIN_WAIT2: 'after our FIN is acknowledged an orphan lives on in a timewait socket, unannounced',
  TIME_WAIT: 'timewait sockets are never announced: only those a socket table caught are timed',
};

/** How the phases timed through socket tables went, per state. */
export interface TableTimed {
  count: number;
  /** The largest ± of them, ms. */
  resolutionMs: number;
  /** SYN_RECV: requests that never completed (no child was made). */
  incomplete: number;
}

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
  readonly byTables = new Map<TcpState, TableTimed>();

  /**
   * Adds a phase timed through socket tables. A completed request's SYN_RECV and an orphan's
   * FIN_WAIT2 were counted unmeasured at their event: they move to the measured.
   */
  addPhase(p: { state: TcpState; ms: number; resolutionMs: number; incomplete?: true }): void {
    this.addMs(p.state, p.ms);
    let t = this.byTables.get(p.state);
    if (!t) {
      t = { count: 0, resolutionMs: 0, incomplete: 0 };
      this.byTables.set(p.state, t);
    }
    t.count++;
    t.resolutionMs = Math.max(t.resolutionMs, p.resolutionMs);
    if (p.incomplete) t.incomplete++;
    const n = this.unmeasured.get(p.state);
    if (!p.incomplete && p.state !== 'TIME_WAIT' && n !== undefined) {
      if (n <= 1) this.unmeasured.delete(p.state);
      else this.unmeasured.set(p.state, n - 1);
    }
  }

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
