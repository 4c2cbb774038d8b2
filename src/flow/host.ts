/**
 * The flow table in drive mode: one host's connections (one TCB each), whether its program listens,
 * and what a segment that matches no connection meets: a listener (with its queue limit and SYN
 * cookies) or a closed port. The TCBs are the state machine's; the host only finds the right one, as
 * the kernel's lookup does. The simulator runs two of these over its network.
 * @see net/ipv4/tcp_ipv4.c tcp_v4_rcv() (lookup), net/ipv4/tcp_input.c tcp_conn_request() (queue, cookies)
 */
import {
  ACK,
  createTcb,
  has,
  type Limits,
  RST,
  type Segment,
  SYN,
  type Tcb,
  type TcpState,
} from '../tcp/index.js';
import type { EndView, TraceAddr } from './trace.js';

/** What a driven host needs to know of its end: its port, first ISS, listen backlog, SYN cookies, limits. */
export interface HostSettings {
  port: number;
  iss: number;
  /** listen() backlog: the most half-open (SYN_RECV) connections the listener keeps. */
  backlog: number;
  /** net.ipv4.tcp_syncookies: answer SYNs with cookies when the queue is full instead of dropping them. */
  syncookies: boolean;
  limits: Partial<Limits>;
}

export interface Conn {
  readonly local: TraceAddr;
  readonly remote: TraceAddr;
  tcb: Tcb;
}

/** Where an arriving segment goes. */
export type Delivery =
  | { readonly kind: 'conn'; readonly conn: Conn; readonly cookie?: true; readonly fresh?: true }
  | { readonly kind: 'stateless'; readonly tcb: Tcb; readonly why: string }
  | { readonly kind: 'cookie'; readonly reply: Segment }
  | { readonly kind: 'dropped'; readonly why: string };

export const connKey = (local: TraceAddr, remote: TraceAddr) => `${local.port}|${remote.host}:${remote.port}`;

export class Host<S extends HostSettings = HostSettings> {
  up = true;
  listening = false;
  readonly conns = new Map<string, Conn>();
  private issNext: number;

  constructor(
    /** The host's name: its end's id in the trace, and its address's host. */
    readonly side: string,
    readonly settings: S,
    private readonly peer: TraceAddr,
  ) {
    this.issNext = settings.iss;
  }

  get addr(): TraceAddr {
    return { host: this.side, port: this.settings.port };
  }

  get mainKey(): string {
    return connKey(this.addr, this.peer);
  }

  /** The connection to the other side, made CLOSE when the program first acts on it. */
  main(create: boolean): Conn | undefined {
    let c = this.conns.get(this.mainKey);
    if (!c && create) {
      c = { local: this.addr, remote: this.peer, tcb: this.newTcb('CLOSE', this.settings.iss) };
      this.conns.set(this.mainKey, c);
    }
    return c;
  }

  private newTcb(state: TcpState, iss: number): Tcb {
    return createTcb({ state, iss, limits: this.settings.limits });
  }

  /** The ISS of the next connection: the main one gets the configured ISS, others follow 1000 apart. */
  private nextIss(remote: TraceAddr): number {
    if (remote.host === this.peer.host && remote.port === this.peer.port) return this.settings.iss;
    this.issNext += 1000;
    return this.issNext;
  }

  /** Finds the TCB for a segment from `from`, making a request from the listener when a SYN is welcome. */
  deliver(seg: Segment, from: TraceAddr, local: TraceAddr): Delivery {
    const key = connKey(local, from);
    const c = this.conns.get(key);
    const listens = this.listening && local.port === this.settings.port;
    const newSyn = has(seg, SYN) && !has(seg, ACK) && !has(seg, RST);
    if (c && !(c.tcb.state === 'CLOSE' && listens && newSyn)) return { kind: 'conn', conn: c };
    if (!listens) return { kind: 'stateless', tcb: this.newTcb('CLOSE', 0), why: 'no socket' };
    if (newSyn) return this.admit(key, local, from, seg);
    if (has(seg, ACK) && !has(seg, SYN) && !has(seg, RST) && this.settings.syncookies) {
      if ((seg.ack - 1) >>> 0 === cookie(from)) {
        const tcb = createTcb({
          state: 'ESTABLISHED',
          passive: true,
          iss: cookie(from),
          irs: (seg.seq - 1) >>> 0,
        });
        const conn = {
          local,
          remote: from,
          tcb: { ...tcb, limits: { ...tcb.limits, ...this.settings.limits } },
        };
        this.conns.set(key, conn);
        return { kind: 'conn', conn, cookie: true };
      }
    }
    return { kind: 'stateless', tcb: this.newTcb('LISTEN', 0), why: 'listener' };
  }

  /** A SYN for the listener: a request socket, unless the queue is full (then a cookie, or nothing). */
  private admit(key: string, local: TraceAddr, from: TraceAddr, syn: Segment): Delivery {
    const halfOpen = [...this.conns.values()].filter(
      (c) => c.tcb.passive && c.tcb.state === 'SYN_RECV',
    ).length;
    if (halfOpen >= this.settings.backlog) {
      if (!this.settings.syncookies)
        return { kind: 'dropped', why: 'SYN dropped: request queue full (TCPReqQFullDrop)' };
      return {
        kind: 'cookie',
        reply: { seq: cookie(from), ack: (syn.seq + 1) >>> 0, flags: SYN | ACK, len: 0 },
      };
    }
    const conn: Conn = { local, remote: from, tcb: this.newTcb('LISTEN', this.nextIss(from)) };
    this.conns.set(key, conn);
    return { kind: 'conn', conn, fresh: true };
  }

  /** Forgets connections that are over, except the main one (whose CLOSE the ladder shows). */
  tidy(): void {
    for (const [k, c] of this.conns) {
      if (k !== this.mainKey && (c.tcb.state === 'CLOSE' || c.tcb.state === 'LISTEN')) this.conns.delete(k);
    }
  }

  /** A crash: every connection is gone and the host answers nothing until it restarts. */
  crash(): void {
    this.up = false;
    this.conns.clear();
  }

  view(): EndView {
    const main = this.conns.get(this.mainKey);
    let state: TcpState = main ? main.tcb.state : this.listening ? 'LISTEN' : 'CLOSE';
    if (!this.up) state = 'CLOSE';
    const others: Partial<Record<TcpState, number>> = {};
    let any = false;
    for (const [k, c] of this.conns) {
      if (k === this.mainKey) continue;
      others[c.tcb.state] = (others[c.tcb.state] ?? 0) + 1;
      any = true;
    }
    return { state, ...(this.up ? {} : { down: true as const }), ...(any ? { others } : {}) };
  }
}

/** A SYN cookie: the ISS a stateless listener answers with, recomputed when the ACK comes back. */
export function cookie(from: TraceAddr): number {
  let h = 2166136261;
  for (const ch of `${from.host}:${from.port}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0) % 900_000_000;
}
