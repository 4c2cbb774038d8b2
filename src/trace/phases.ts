/**
 * The phases no event times, timed by pairing the events with socket tables read every interval.
 * Pure: transitions and tables in, measured durations out.
 *
 * - A request socket's SYN_RECV: the request appears in a table (it was absent in the one before),
 *   and ends at its child's LISTEN→SYN_RECV event (the final ACK), or vanishes from a table
 *   without one (never completed: timed out or reset).
 * - An orphan's FIN_WAIT2 and TIME_WAIT: after FIN_WAIT2→CLOSE or CLOSING→CLOSE a timewait socket
 *   holds the 4-tuple; the tables show it as FIN_WAIT2 (waiting for the peer's FIN) then TIME_WAIT,
 *   then gone. FIN_WAIT2 begins at the FIN_WAIT1→FIN_WAIT2 event; TIME_WAIT at CLOSING→CLOSE.
 *
 * An edge seen only between two tables is placed in the middle of that gap, and the duration
 * carries the half-gaps as its resolution: measured to within the interval, never guessed. A phase
 * whose start or end no table or event brackets is not measured at all.
 */
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import type { TraceTransition } from './types.js';

/** A socket as a table shows it: enough to pair it with events. */
export interface SeenSocket {
  readonly state: TcpState;
  readonly local: Endpoint;
  readonly remote: Endpoint;
}

/** One phase measured through tables. */
export interface PhaseTime {
  readonly state: 'SYN_RECV' | 'FIN_WAIT2' | 'TIME_WAIT';
  readonly ms: number;
  /** The measurement is within ± this many ms (half the gaps between the tables that bracket it). */
  readonly resolutionMs: number;
  /** SYN_RECV only: the request never completed (no child was made). */
  readonly incomplete?: true;
}

/** A moment known exactly (res 0) or to lie within ± res of `at`. */
interface Edge {
  at: number;
  res: number;
}

interface Request {
  start: Edge;
  lastSeen: number;
  /** The table where it was first missing: its end lies between lastSeen and this. */
  goneAt?: number;
}

interface Closing {
  /** When FIN_WAIT2 began (FIN_WAIT1→FIN_WAIT2), when seen. */
  fw2Start?: number;
  /** The event that handed the socket to a timewait socket. */
  handedAt: number;
  /** The last table it was seen in, and as what. */
  lastSeen?: number;
  lastState?: TcpState;
  /** When TIME_WAIT began, once bracketed. */
  twStart?: Edge;
}

const key = (l: Endpoint, r: Endpoint) => `${l.address} ${l.port} ${r.address} ${r.port}`;
/** Entries not seen for this long are dropped (lost events, sockets in another namespace). */
const STALE_MS = 10 * 60_000;
const MAX_ENTRIES = 1 << 18;
/** How long a request gone from the tables waits for its child's event before it counts as never completed. */
const GRACE_MS = 1000;

/** Pairs transitions with tables; `table` returns the phases each new table completes. */
export class PhaseClock {
  private readonly requests = new Map<string, Request>();
  /** Sockets in FIN_WAIT2 (their start), before the FIN_WAIT2→CLOSE hand-over. */
  private readonly fw2 = new Map<string, number>();
  private readonly closing = new Map<string, Closing>();
  private lastTable: number | undefined;
  /** What the last table showed of the requests and timewait sockets, by 4-tuple. */
  private lastTableSeen = new Map<string, TcpState>();
  private readonly done: PhaseTime[] = [];

  /** Feeds a kernel transition (in time order). */
  transition(t: TraceTransition): void {
    const k = key(t.local, t.remote);
    if (t.from === 'LISTEN' && t.to === 'SYN_RECV') {
      const r = this.requests.get(k);
      if (r) {
        this.requests.delete(k);
        this.measure('SYN_RECV', r.start, { at: t.timeMs, res: 0 });
      }
      return;
    }
    if (t.to === 'FIN_WAIT2') {
      if (this.fw2.size < MAX_ENTRIES) this.fw2.set(k, t.timeMs);
      return;
    }
    if (t.from === 'FIN_WAIT2' && t.to === 'CLOSE') {
      const fw2Start = this.fw2.get(k);
      this.fw2.delete(k);
      if (this.closing.size >= MAX_ENTRIES) return;
      const c: Closing = { handedAt: t.timeMs };
      if (fw2Start !== undefined) c.fw2Start = fw2Start;
      if (this.seenBefore(k, c)) this.closing.set(k, c);
      return;
    }
    if (t.from === 'CLOSING' && t.to === 'TIME_WAIT') {
      // The tracker's inference: CLOSING→CLOSE with no reset hands over to TIME_WAIT at once.
      const c: Closing = { handedAt: t.timeMs, twStart: { at: t.timeMs, res: 0 } };
      if (this.closing.size < MAX_ENTRIES && this.seenBefore(k, c)) this.closing.set(k, c);
      return;
    }
    if (t.from === 'FIN_WAIT2') this.fw2.delete(k);
  }

  /**
   * A table read at `atMs` holding (at least) the sockets in SYN_RECV, FIN_WAIT2 and TIME_WAIT.
   * Returns the phases it completes, with those completed by events since the last call.
   */
  table(atMs: number, sockets: readonly SeenSocket[]): PhaseTime[] {
    const prev = this.lastTable;
    this.lastTable = atMs;
    const seen = new Map<string, TcpState>();
    for (const s of sockets) {
      if (s.state === 'SYN_RECV' || s.state === 'FIN_WAIT2' || s.state === 'TIME_WAIT')
        seen.set(key(s.local, s.remote), s.state);
    }
    this.requestsIn(atMs, prev, seen);
    this.closingIn(atMs, seen);
    this.lastTableSeen = seen;
    return this.done.splice(0);
  }

  private requestsIn(atMs: number, prev: number | undefined, seen: Map<string, TcpState>): void {
    for (const [k, r] of this.requests) {
      if (seen.get(k) === 'SYN_RECV') {
        r.lastSeen = atMs;
        continue;
      }
      if (r.goneAt === undefined) r.goneAt = atMs;
      // Its child's event may still be on its way (events are read a few times a second).
      if (atMs - r.goneAt < GRACE_MS) continue;
      this.requests.delete(k);
      this.measure('SYN_RECV', r.start, mid(r.lastSeen, r.goneAt), true);
    }
    // New requests; those in the first table began before it, at no known time.
    if (prev === undefined) return;
    for (const [k, st] of seen) {
      if (st !== 'SYN_RECV' || this.requests.has(k) || this.requests.size >= MAX_ENTRIES) continue;
      this.requests.set(k, { start: mid(prev, atMs), lastSeen: atMs });
    }
  }

  private closingIn(atMs: number, seen: Map<string, TcpState>): void {
    for (const [k, c] of this.closing) {
      const st = seen.get(k);
      if (st === 'FIN_WAIT2' || st === 'TIME_WAIT') {
        this.sight(c, atMs, st);
        continue;
      }
      // Gone from the table.
      this.closing.delete(k);
      if (c.lastSeen === undefined) continue; // never seen: its timewait socket was not kept
      const end = mid(c.lastSeen, atMs);
      if (c.lastState === 'TIME_WAIT' && c.twStart) this.measure('TIME_WAIT', c.twStart, end);
      else if (c.lastState === 'FIN_WAIT2' && c.fw2Start !== undefined)
        this.measure('FIN_WAIT2', { at: c.fw2Start, res: 0 }, end);
    }
    for (const [k, at] of this.fw2) if (atMs - at > STALE_MS) this.fw2.delete(k);
    for (const [k, r] of this.requests) if (atMs - r.lastSeen > STALE_MS) this.requests.delete(k);
  }

  /** A timewait socket seen in a table at `atMs`, as FIN_WAIT2 (an orphan) or TIME_WAIT. */
  private sight(c: Closing, atMs: number, st: 'FIN_WAIT2' | 'TIME_WAIT'): void {
    const since = c.lastSeen ?? c.handedAt;
    if (st === 'TIME_WAIT' && c.twStart === undefined) {
      if (c.lastState === 'FIN_WAIT2') {
        // An orphan's FIN_WAIT2 ended (the peer's FIN) between its last sight and this table.
        c.twStart = mid(since, atMs);
        if (c.fw2Start !== undefined) this.measure('FIN_WAIT2', { at: c.fw2Start, res: 0 }, c.twStart);
      } else {
        // First seen in TIME_WAIT: the peer's FIN came at the hand-over (the usual close) or
        // soon after it; FIN_WAIT2 is not timed, TIME_WAIT began within the gap.
        c.twStart = mid(c.handedAt, atMs);
      }
    }
    c.lastSeen = atMs;
    c.lastState = st;
  }

  /**
   * A hand-over whose event arrives after a table read later than it: that table already showed
   * the timewait socket, or showed it gone. Returns false when it was gone (or never kept).
   */
  private seenBefore(k: string, c: Closing): boolean {
    if (this.lastTable === undefined || c.handedAt >= this.lastTable) return true;
    const st = this.lastTableSeen.get(k);
    if (st !== 'FIN_WAIT2' && st !== 'TIME_WAIT') return false;
    this.sight(c, this.lastTable, st);
    return true;
  }

  private measure(state: PhaseTime['state'], start: Edge, end: Edge, incomplete = false): void {
    const ms = end.at - start.at;
    if (ms < 0) return;
    const p: PhaseTime = incomplete
      ? { state, ms, resolutionMs: start.res + end.res, incomplete: true }
      : { state, ms, resolutionMs: start.res + end.res };
    this.done.push(p);
  }
}

/** The middle of the gap between two tables, and half the gap. */
function mid(a: number, b: number): Edge {
  return { at: (a + b) / 2, res: (b - a) / 2 };
}
