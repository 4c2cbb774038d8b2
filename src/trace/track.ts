/**
 * Kernel events to transitions, pure: pairs the events of one socket by `skaddr` (by the 4-tuple
 * when read from the text pipe), measures the time in each state between two events of the same
 * socket, names owners where the kernel allows, and infers TIME_WAIT where the events prove it.
 *
 * What the events can and cannot say (Linux 6.18, kernel/net/ipv4/tcp.c, tcp_minisocks.c):
 * - only CLOSE→SYN_SENT and CLOSE→LISTEN run in the owner's context; an accepted child's
 *   LISTEN→SYN_RECV and SYN_RECV→ESTABLISHED run in softirq, so the child is attributed to the owner
 *   of the listener it came from, and anything else to an owner seen earlier for the socket, or none;
 * - TIME_WAIT is never announced: a timewait socket takes over with FIN_WAIT2→CLOSE or CLOSING→CLOSE.
 *   Only CLOSING→CLOSE without a reset received means TIME_WAIT; FIN_WAIT2→CLOSE may be TIME_WAIT,
 *   an orphan handed to a timewait socket still in FIN_WAIT2, a reset or a timeout;
 * - the SYN_RECV of a request socket and an orphan's FIN_WAIT2 are not timed by any event: their
 *   durations are left out, never guessed.
 */

import type { SetStateEvent, TraceEvent } from '../kernel/tracefs/events.js';
import type { Endpoint, Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import type { TraceItem, TraceNote, TraceOwner, TraceTransition } from './types.js';

const TCP = 6;
const NEW_SYN_RECV = 12;

/** Finds the process of a thread id (the event's pid), or undefined once it is gone. */
export type OwnerLookup = (tid: number) => { pid: number; command: string } | undefined;

/** A kernel state code as a user-facing name: request sockets (12) are SYN_RECV; others unknown. */
export function stateName(code: number): TcpState | undefined {
  if (code === NEW_SYN_RECV) return 'SYN_RECV';
  return TCP_STATES[code - 1];
}

interface SocketTrack {
  state: TcpState;
  sinceNs: number;
  /** Born as an accepted child (LISTEN→SYN_RECV): its SYN_RECV time is the request's, unseen. */
  child: boolean;
  owner?: TraceOwner;
  resetReceived: boolean;
}

const ERRNO: Record<number, string> = {
  99: 'EADDRNOTAVAIL',
  101: 'ENETUNREACH',
  103: 'ECONNABORTED',
  104: 'ECONNRESET',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
  13: 'EACCES',
  1: 'EPERM',
  22: 'EINVAL',
  98: 'EADDRINUSE',
  32: 'EPIPE',
};

/** An errno as `{ name, code }` (`E123` for numbers without a name here). */
export function errnoOf(code: number): { name: string; code: number } {
  return { name: ERRNO[code] ?? `E${code}`, code };
}

/** Counts of what the tracker skipped. */
export interface TrackerCounts {
  /** State events of other protocols (SCTP, MPTCP, DCCP). */
  otherProtocols: number;
  /** State codes outside 1..12. */
  unknownStates: number;
}

/** Turns events into transitions and notes, in the order given (time order). */
export class TransitionTracker {
  private readonly sockets = new Map<string, SocketTrack>();
  /** Owners of listeners' children (`via: 'listener'`) by the listener's `address port`. */
  private readonly listeners = new Map<string, TraceOwner>();
  /** Owners of sockets that existed before the trace began, by 4-tuple (from a snapshot). */
  private readonly known = new Map<string, TraceOwner>();
  readonly counts: TrackerCounts = { otherProtocols: 0, unknownStates: 0 };
  private readonly contexts = new WeakMap<object, TraceOwner>();

  constructor(private readonly ownerOf: OwnerLookup = () => undefined) {}

  /**
   * Owners of the sockets that exist as the trace begins (a snapshot with owners): their later
   * transitions, and the children of their listeners, are then attributed.
   */
  seedOwners(sockets: readonly Socket[]): void {
    for (const s of sockets) {
      const o = s.owners?.[0];
      if (!o) continue;
      const owner: TraceOwner = { pid: o.pid, command: o.command, via: 'snapshot' };
      if (s.state === 'LISTEN') this.listeners.set(`${s.local.address} ${s.local.port}`, childOwner(owner));
      else this.known.set(`${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`, owner);
    }
  }

  /** Sockets being followed (for memory checks). */
  get size(): number {
    return this.sockets.size;
  }

  push(e: TraceEvent): TraceItem[] {
    switch (e.event) {
      case 'inet_sock_set_state':
        return this.setState(e);
      case 'tcp_receive_reset': {
        const t = this.sockets.get(e.skaddr);
        if (t) t.resetReceived = true;
        return [this.note('reset-received', e, e.skaddr, t?.state)];
      }
      case 'tcp_send_reset': {
        const t = e.skaddr === '0' ? undefined : this.sockets.get(e.skaddr);
        return [this.note('reset-sent', e, e.skaddr, t?.state ?? stateOrUndef(e.state))];
      }
      case 'tcp_retransmit_skb':
        return [
          this.note('retransmit', e, e.skaddr, this.sockets.get(e.skaddr)?.state ?? stateOrUndef(e.state)),
        ];
      case 'tcp_retransmit_synack':
        return [this.note('retransmit-synack', e, undefined, 'SYN_RECV')];
      case 'inet_sk_error_report': {
        if (e.protocol !== TCP) return [];
        const n = this.note('socket-error', e, undefined, undefined);
        n.error = errnoOf(e.error);
        return [n];
      }
      case 'sys_exit_connect': {
        // EINPROGRESS (115) is a non-blocking connect under way, not a failure.
        if (e.ret >= 0 || e.ret === -115) return [];
        const n: TraceNote = { kind: 'connect-error', timeMs: e.timeMs, error: errnoOf(-e.ret) };
        const owner = this.context(e.pid);
        if (owner) n.owner = owner;
        return [n];
      }
    }
  }

  private context(tid: number): TraceOwner | undefined {
    const p = this.ownerOf(tid);
    if (!p) return undefined;
    // One owner object per lookup result: a busy client's sockets share it, and writers cache by it.
    let o = this.contexts.get(p);
    if (o === undefined) {
      o = { pid: p.pid, command: p.command, via: 'context' };
      this.contexts.set(p, o);
    }
    return o;
  }

  private note(
    kind: TraceNote['kind'],
    e: { timeMs: number; family: 4 | 6; saddr: string; sport: number; daddr: string; dport: number },
    skaddr: string | undefined,
    state: TcpState | undefined,
  ): TraceNote {
    const n: TraceNote = {
      kind,
      timeMs: e.timeMs,
      family: e.family,
      local: { address: e.saddr, port: e.sport },
      remote: { address: e.daddr, port: e.dport },
    };
    if (state) n.state = state;
    if (skaddr && skaddr !== '0') {
      n.skaddr = skaddr;
      const owner = this.sockets.get(skaddr)?.owner;
      if (owner) n.owner = owner;
    }
    return n;
  }

  private setState(e: SetStateEvent): TraceItem[] {
    if (e.protocol !== TCP) {
      this.counts.otherProtocols++;
      return [];
    }
    const from = stateName(e.oldstate);
    const to = stateName(e.newstate);
    if (!from || !to) {
      this.counts.unknownStates++;
      return [];
    }
    const local: Endpoint = { address: e.saddr, port: e.sport };
    const remote: Endpoint = { address: e.daddr, port: e.dport };
    // Text-pipe events have no skaddr: the 4-tuple stands in (sport is 0 until SYN_SENT ends).
    const text = e.skaddr === '';
    const key = text ? `${e.saddr} ${e.sport} ${e.daddr} ${e.dport}` : e.skaddr;
    const t: TraceTransition = {
      kind: 'transition',
      timeMs: e.timeMs,
      family: e.family,
      local,
      remote,
      from,
      to,
      source: 'kernel',
    };
    if (!text) t.skaddr = e.skaddr;
    const zeroKey = text && from === 'SYN_SENT' ? `${e.saddr} 0 ${e.daddr} ${e.dport}` : '';
    let track = this.sockets.get(key) ?? (zeroKey !== '' ? this.sockets.get(zeroKey) : undefined);
    if (from === 'CLOSE' && (to === 'SYN_SENT' || to === 'LISTEN')) {
      // The owner's own call: connect() or listen().
      track = { state: to, sinceNs: e.ns, child: false, resetReceived: false };
      const owner = this.context(e.pid);
      if (owner) track.owner = owner;
      if (to === 'LISTEN' && owner) this.listeners.set(`${e.saddr} ${e.sport}`, childOwner(owner));
      this.sockets.set(key, track);
    } else if (from === 'LISTEN' && to === 'SYN_RECV') {
      track = { state: to, sinceNs: e.ns, child: true, resetReceived: false };
      if (this.listeners.size > 0) {
        const l =
          this.listeners.get(`${e.saddr} ${e.sport}`) ??
          this.listeners.get(`${wildcard(e.family)} ${e.sport}`);
        if (l) track.owner = l;
      }
      this.sockets.set(key, track);
    } else if (!track) {
      // First seen mid-life (it existed before the trace): followed from here, unmeasured so far.
      if (to !== 'CLOSE') {
        track = { state: to, sinceNs: e.ns, child: false, resetReceived: false };
        this.sockets.set(key, track);
      }
    } else if (from === to) {
      // close() after shutdown(): the kernel announces the state again; the clock goes on.
    } else {
      if (measured(track, from)) t.durationMs = (e.ns - track.sinceNs) / 1e6;
      if (from === 'CLOSING' && to === 'CLOSE' && !track.resetReceived) {
        t.to = 'TIME_WAIT';
        t.inferred = true;
        t.announced = 'CLOSE';
      }
      track.state = to;
      track.sinceNs = e.ns;
    }
    // Sockets that existed at the start are known by their 4-tuple until they close.
    const tuple = this.known.size > 0 ? `${e.saddr} ${e.sport} ${e.daddr} ${e.dport}` : '';
    const owner = track?.owner ?? (tuple !== '' ? this.known.get(tuple) : undefined);
    if (owner) t.owner = owner;
    if (to === 'CLOSE') {
      this.sockets.delete(key);
      if (tuple !== '') this.known.delete(tuple);
      if (from === 'LISTEN') this.listeners.delete(`${e.saddr} ${e.sport}`);
    } else if (zeroKey !== '' && track) {
      // Text pipe: the client's key changes once its port is chosen.
      this.sockets.delete(zeroKey);
      this.sockets.set(key, track);
    }
    return [t];
  }
}

/** The owner of the children a listener accepts, made once per listener and shared by them. */
function childOwner(o: TraceOwner): TraceOwner {
  return { pid: o.pid, ...(o.command ? { command: o.command } : {}), via: 'listener' };
}

function stateOrUndef(code: number | undefined): TcpState | undefined {
  return code === undefined || code === 0 ? undefined : stateName(code);
}

function wildcard(family: 4 | 6): string {
  return family === 4 ? '0.0.0.0' : '::';
}

/**
 * Whether the time since the socket's last event is the time it spent in `from`: not for a child's
 * SYN_RECV (the request socket's time is unseen) nor FIN_WAIT2 (an orphan goes on in a timewait
 * socket after FIN_WAIT2→CLOSE; the events cannot tell that from a peer's FIN).
 */
function measured(track: SocketTrack, from: TcpState): boolean {
  if (track.state !== from) return false;
  if (from === 'SYN_RECV' && track.child) return false;
  return from !== 'FIN_WAIT2';
}
