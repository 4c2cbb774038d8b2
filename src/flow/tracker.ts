/**
 * The flow table in observe mode: segments as a capture saw them rebuild both ends' states, per
 * connection. Each end is the state machine of src/tcp fed what it sent (`sent`) and what it received
 * (`recv`); the end that sent the bare SYN is the client. A new SYN after a connection's end starts
 * the next connection on the same 4-tuple; retransmissions, duplicates and reordering are recognised
 * by sequence numbers (the machine judges them; they never change a state on their own); a flow first
 * seen mid-stream starts ESTABLISHED and is marked so. Bounded: beyond `maxFlows` the flow idle the
 * longest is closed off and counted. Segments that change nothing but sequence numbers (in-order
 * data and ACKs between two ESTABLISHED ends) take a fast path instead of the machine's `step()`;
 * the other usual ones (handshake, FINs) the observer's quick step (`observeStep`). Memory holds
 * the last minute's flows (TIME_WAIT's), most of them with both ends gone: those, and quiet ones,
 * keep their ends as numbers until touched again (`FrozenEnds`), and done flows are taken again
 * for new ones, so that V8 has little to copy or to collect from its old heap.
 * Pure: time comes from the packets.
 */

import { endpointOf } from '../net/endpoint.js';
import type { WirePacket } from '../net/packet.js';
import {
  ACK,
  type AnomalyId,
  createTcb,
  FIN,
  type FsmEvent,
  type FsmTransition,
  flagsText,
  LINUX_LIMITS,
  observedTransitions,
  observeStep,
  RST,
  type Segment,
  type StepResult,
  SYN,
  seqAdd,
  seqGt,
  seqLe,
  seqLt,
  stepInPlace,
  TCP_STATES,
  type Tcb,
  type TcpState,
} from '../tcp/index.js';
import { CODE, type End, type Mutable, type MutableTcb, NO_SEQ, newEnd } from './end.js';
import { FlowIndex, OpenFlows } from './flow-index.js';
import { FrozenEnds } from './frozen.js';
import { endpointBefore } from './key.js';
import type { ConnEvent, ConnTrace, ConnTransition, EndView } from './trace.js';

/** A state an end entered, and when (µs since the epoch). */
export interface StateAt {
  readonly state: TcpState;
  readonly atUs: number;
}

/** One end of a tracked connection. */
export interface ConnEnd {
  readonly address: string;
  readonly port: number;
  /** The states it passed through, in order, from its first after the start to where it stands at the end (`CLOSE` when gone). */
  readonly states: readonly StateAt[];
  readonly packets: number;
  /** Payload octets sent (from the IP lengths). */
  readonly bytes: number;
  readonly retransmissions: number;
}

/** Things worth a reader's attention in a connection. */
export type ConnAnomaly =
  | 'handshake-incomplete'
  | 'syn-retransmitted'
  | 'rst'
  | 'zero-window'
  | 'half-close'
  | 'midstream'
  | 'evicted'
  | AnomalyId;

/** One connection rebuilt from a capture. */
export interface Conn {
  /** Its number in the capture, in order of first packet (1, 2...). */
  readonly n: number;
  readonly family: 4 | 6;
  readonly client: ConnEnd;
  readonly server: ConnEnd;
  readonly startUs: number;
  readonly lastUs: number;
  /** First seen after its handshake: both ends start ESTABLISHED, and `client` is the first sender. */
  readonly midstream: boolean;
  /** Zeek's connection state code (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH). */
  readonly connState: string;
  /** Zeek's history letters: upper case from the client, lower case from the server. */
  readonly history: string;
  /** Who sent the first FIN or RST. */
  readonly firstClose?: { readonly end: 'client' | 'server'; readonly how: 'FIN' | 'RST' };
  readonly anomalies: readonly ConnAnomaly[];
  /** The ladder of the connection, when it was recorded. */
  readonly trace?: ConnTrace;
}

/** The most flows a tracker keeps at once unless told (`pcap --max-flows`' default). */
export const MAX_FLOWS = 1_000_000;

export interface TrackerOptions {
  /** The most flows kept at once (default 1,000,000): beyond, the flow idle the longest is closed off. */
  readonly maxFlows?: number;
  /** Record the ladder of the connections this accepts (by number). */
  readonly record?: (n: number) => boolean;
  /** Take the fast path for segments that change only sequence numbers (default true). */
  readonly fastPath?: boolean;
  /**
   * Keep both ends of a flow as numbers until it is touched again, when they are both gone or the
   * flow saw none of the last `idleSegments` segments (default true, and 4096).
   */
  readonly freeze?: boolean;
  readonly idleSegments?: number;
  /** Called with each connection as it is done (replaced by the next on its 4-tuple, evicted, or at `finish`). */
  readonly onConn?: (c: Conn) => void;
  /**
   * A new connection's number (default 1, 2, 3... in order of first packet). Trackers that share a
   * capture between them number by the first packet's place in the capture, which a merger turns
   * back into 1, 2, 3...
   */
  readonly number?: () => number;
  /** Called with each end's transition as the segments make it (live captures print them). */
  readonly onTransition?: (t: FlowTransition) => void;
}

/** One end's change of state, rebuilt from the segments, with the connection it belongs to. */
export interface FlowTransition {
  /** The connection's number in the capture. */
  readonly n: number;
  readonly family: 4 | 6;
  readonly end: 'client' | 'server';
  /** This end, and its peer. */
  readonly local: { readonly address: string; readonly port: number };
  readonly remote: { readonly address: string; readonly port: number };
  readonly from: TcpState;
  readonly to: TcpState;
  /** What made it (`ack-of-fin`, `close`, `time-wait`, `reused`...). */
  readonly cause: string;
  /** When (µs since the epoch). */
  readonly atUs: number;
}

export interface TrackerStats {
  packets: number;
  /** Segments handled by the fast path. */
  fast: number;
  connections: number;
  /** Open flows closed off to stay within `maxFlows`. */
  evicted: number;
}

interface Flow {
  n: number;
  /** Where the index keeps it: the smaller endpoint's address, the other's, both ports in one number. */
  lo: string;
  hi: string;
  ports: number;
  family: 4 | 6;
  /** Both ends as objects; absent while they are kept as numbers (`frozen`). */
  ends: [End, End];
  /** The row of `FrozenEnds` that keeps both ends while only a later segment could change them; -1 when not. */
  frozen: number;
  startUs: number;
  lastUs: number;
  midstream: boolean;
  history: string;
  /** Each named once. */
  anomalies: readonly ConnAnomaly[];
  /** Who sent the first FIN or RST, as FIRST_CLOSE numbers it; -1 before. */
  firstClose: number;
  synRetransmitted: boolean;
  /** Recorded ladder rows, when this connection is recorded. */
  events: ConnEvent[] | undefined;
  /**
   * The server end's transitions told only once it answers (`onTransition`): a SYN answered by an
   * RST alone found no listener, and that end never existed.
   */
  held: FlowTransition[] | undefined;
  /** The server end turned out never to have existed: nothing more is told of it. */
  serverless: boolean;
  /** In the queue of flows whose ends are both gone, since this moment (µs); NO_TIME when not. */
  goneSince: number;
  /** Where in that queue (counted from the queue's first entry ever). */
  goneAt: number;
  /** The index's link to the next flow of the same key. */
  nextSame: Flow | undefined;
  /** The open flows' links: the flow opened just before this one and still open, and just after. */
  olderOpen: Flow | undefined;
  newerOpen: Flow | undefined;
  /** Open (false once done, until taken again for a new connection). */
  alive: boolean;
  /** The tracker's count of segments at this flow's last. */
  seen: number;
  /** Both ends gone (CLOSE, TIME_WAIT, LISTEN) after the last segment. */
  bothGone: boolean;
}

/** The k-th smallest of `a` (0-based), by Hoare's selection in place: linear on average. */
function nthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** An end in one of these is no connection's any more (a listener's end is the listener, not a socket of this flow). */
function isGone(s: TcpState): boolean {
  return s === 'CLOSE' || s === 'TIME_WAIT' || s === 'LISTEN';
}

/**
 * A flow that saw none of this many segments of the tracker's (its share of a capture) has its ends
 * kept as numbers: sooner than V8's young generation fills (a few thousand new flows' worth), so
 * that the ends of a SYN flood's flows are not copied out of it.
 */
const IDLE_SEGMENTS = 4096;

/** How long a flow whose ends are both gone is kept after its last segment: TIME_WAIT's 60 s (Linux's TCP_TIMEWAIT_LEN). */
const GONE_FOR_US = LINUX_LIMITS.timeWaitMs * 1000;

/** Zeek's history letters that are written once a direction, as bits. */
const LETTER = { s: 1, h: 2, a: 4, d: 8, f: 16, r: 32, g: 64, q: 128 } as const;
type Letter = keyof typeof LETTER;

/** A frozen flow's `ends`: never read (a flow is thawed before its ends are), and wrong if it were. */
const GONE_ENDS = Object.freeze([]) as unknown as [End, End];

/** Nothing wider than this in a capture's receive window test: the capture, not the window, decides. */
const OBSERVER_WINDOW = 0x3fff_ffff;
const SYNCED = new Set<TcpState>([
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
]);
function quickTransition(): FsmTransition {
  return { time: 0, from: 'CLOSE', to: 'CLOSE', cause: 'ack' };
}

/** An empty list of a step's results, shared. */
const NOTHING: readonly never[] = Object.freeze([]);
/** Explanations that would only be noise on every row of a ladder. */
const QUIET = new Set(['ack', 'data', 'sent-other']);

export class FlowTracker {
  /** Open flows (in order of first packet), and the index that finds one from a segment. */
  private readonly flows = new OpenFlows<Flow>();
  private readonly index = new FlowIndex<Flow>();
  private readonly maxFlows: number;
  private readonly fastPath: boolean;
  private readonly idleSegments: number;
  /** Done flows kept to be taken again: as many as an eviction makes done (within reason). */
  private readonly spareFlows: number;
  /** Both ends of flows whose ends are gone, or that are quiet, as numbers; null when not kept so. */
  private readonly frozen: FrozenEnds | null;
  private nextN = 1;
  private lastUs = 0;
  /**
   * Flows whose ends are both gone (CLOSE, TIME_WAIT, LISTEN), oldest first, from `goneHead` on; a
   * flow forgotten since (its 4-tuple reused, or evicted) leaves a hole, so that the queue holds no
   * connection that is done. `goneBase` is the place of its first entry counted from the first ever.
   */
  private gone: (Flow | undefined)[] = [];
  private goneHead = 0;
  private goneBase = 0;
  /** How many of those are still open (the others were forgotten since, and are dropped in time). */
  private goneOpen = 0;
  readonly stats: TrackerStats = { packets: 0, fast: 0, connections: 0, evicted: 0 };
  /** Open flows to look at again `idleSegments` segments after they were queued (`coolTimes`), from `coolHead` on. */
  private cool: (Flow | undefined)[] = [];
  private coolTimes: number[] = [];
  private coolHead = 0;
  /** Done flows, to be taken again for new ones. */
  private readonly spare: FlowRecord[] = [];
  /** The open flows and their idle times as `evict` sees them, and the copy it selects in, kept. */
  private evictTimes = new Float64Array(0);
  private evictCut = new Float64Array(0);
  private readonly evictFlows: Flow[] = [];
  /** Where the observer's quick step writes its transitions. */
  private readonly quick = observedTransitions();
  private readonly quickResult: Mutable<StepResult> = {
    tcb: createTcb(),
    transitions: NOTHING,
    anomalies: NOTHING,
    send: NOTHING,
    applied: NOTHING,
  };
  private readonly quickOne: FsmTransition[] = [quickTransition()];
  private readonly quickTwo: FsmTransition[] = [quickTransition(), quickTransition()];
  /** The segments the machines take, reused from one segment to the next. */
  private readonly segSent: Mutable<Segment> = { seq: 0, ack: 0, flags: 0, len: 0 };
  private readonly segRecv: Mutable<Segment> = { seq: 0, ack: 0, flags: 0, len: 0 };

  constructor(private readonly opts: TrackerOptions = {}) {
    this.maxFlows = Math.max(1, opts.maxFlows ?? MAX_FLOWS);
    this.fastPath = opts.fastPath ?? true;
    this.frozen = (opts.freeze ?? true) ? new FrozenEnds() : null;
    this.idleSegments = Math.max(1, opts.idleSegments ?? IDLE_SEGMENTS);
    this.spareFlows = Math.min(65_536, Math.max(1024, Math.ceil(this.maxFlows / 10)));
  }

  /** Feeds one segment, in capture order. */
  push(p: WirePacket): void {
    this.stats.packets++;
    if (p.timeUs > this.lastUs) this.lastUs = p.timeUs;
    const fwd = endpointBefore(p.src, p.sport, p.dst, p.dport);
    const lo = fwd ? p.src : p.dst;
    const hi = fwd ? p.dst : p.src;
    const ports = fwd ? p.sport * 65536 + p.dport : p.dport * 65536 + p.sport;
    let f = this.index.get(lo, hi, ports);
    const woken = f !== undefined && this.thaw(f) ? f : undefined;
    const bareSyn = (p.flags & (SYN | ACK | RST)) === SYN;
    if (f && bareSyn && this.startsAnew(f, p)) {
      this.forget(f);
      this.done(f, p.timeUs, 'reused');
      f = undefined;
    }
    f ??= this.open(lo, hi, ports, p);
    this.segment(f, p);
    f.seen = this.stats.packets;
    // Only a segment changes the ends' states (and their timers, which the next segment fires).
    f.bothGone = isGone(f.ends[0].tcb.state) && isGone(f.ends[1].tcb.state);
    if (f.goneSince < 0 && f.bothGone) {
      f.goneSince = f.lastUs;
      this.queueGone(f);
      this.goneOpen++;
    }
    // Both ends gone: nothing but a later segment changes the flow, and most wait a minute for none.
    if (f.bothGone) this.freeze(f);
    else if (woken === f) this.queueCool(f, this.stats.packets);
    this.coolIdle();
    if ((this.stats.packets & 1023) === 0) this.sweep();
  }

  /** Keeps a flow's ends as numbers until it is touched again, when they can be. */
  private freeze(f: Flow): void {
    if (!this.frozen || f.frozen >= 0 || f.events !== undefined || f.held !== undefined) return;
    if (!FrozenEnds.fits(f.ends)) return;
    f.frozen = this.frozen.freeze(f.ends);
    f.ends = GONE_ENDS;
  }

  /**
   * Quiet flows are kept as numbers too (a SYN flood's, a quiet connection's): each open flow is
   * looked at again `idleSegments` segments after it was queued, and frozen if it saw none of them,
   * or queued again.
   */
  private coolIdle(): void {
    const q = this.cool;
    const times = this.coolTimes;
    const now = this.stats.packets;
    const idle = this.idleSegments;
    while (this.coolHead < q.length && times[this.coolHead]! + idle <= now) {
      const f = q[this.coolHead]!;
      q[this.coolHead] = undefined;
      this.coolHead++;
      if (!f.alive || f.frozen >= 0) continue;
      if (f.seen + idle <= now) this.freeze(f);
      if (f.frozen < 0) this.queueCool(f, now);
    }
    if (this.coolHead > 4096 && this.coolHead * 2 > q.length) {
      this.cool = q.slice(this.coolHead);
      this.coolTimes = times.slice(this.coolHead);
      this.coolHead = 0;
    }
  }

  /** Looks at `f` again `idleSegments` segments after the `at`-th. */
  private queueCool(f: Flow, at: number): void {
    if (!this.frozen) return;
    this.cool.push(f);
    this.coolTimes.push(at);
  }

  /**
   * A flow's ends as objects again, when they were kept as numbers; whether they were. The caller
   * queues it to be looked at again if it stays open (a flow about to be done needs no look).
   */
  private thaw(f: Flow): boolean {
    if (f.frozen < 0) return false;
    f.ends = this.frozen!.thaw(f.frozen);
    f.frozen = -1;
    return true;
  }

  /**
   * Flows whose ends are both gone and that saw nothing for as long as TIME_WAIT lasts are done: no
   * end of theirs can still be a socket, so what comes later on their 4-tuple is another connection.
   * Memory then holds the last minute of connections, not the whole capture's.
   */
  private sweep(): void {
    const q = this.gone;
    const now = this.lastUs;
    while (this.goneHead < q.length) {
      const f = q[this.goneHead];
      if (f === undefined) {
        // Forgotten since it was queued (its 4-tuple reused, or evicted).
        this.goneHead++;
        continue;
      }
      if (f.goneSince + GONE_FOR_US >= now) break;
      q[this.goneHead++] = undefined;
      // A segment since made an end live again.
      if (!f.bothGone) {
        f.goneSince = NO_TIME;
        this.goneOpen--;
        continue;
      }
      if (f.lastUs + GONE_FOR_US >= now) {
        // Something came since it was queued: its minute starts again.
        f.goneSince = f.lastUs;
        this.queueGone(f);
        continue;
      }
      this.forget(f);
      this.done(f, now, 'end');
    }
    // The holes of forgotten flows stay until their minute is up: when they are most of it, they go.
    const queued = q.length - this.goneHead;
    if (queued > 4096 && queued > 2 * this.goneOpen) {
      this.goneBase += q.length;
      this.gone = [];
      for (let i = this.goneHead; i < q.length; i++) {
        const f = q[i];
        if (f !== undefined) this.queueGone(f);
      }
      this.goneHead = 0;
    } else if (this.goneHead > 4096 && this.goneHead * 2 > q.length) {
      this.goneBase += this.goneHead;
      this.gone = q.slice(this.goneHead);
      this.goneHead = 0;
    }
  }

  private queueGone(f: Flow): void {
    f.goneAt = this.goneBase + this.gone.length;
    this.gone.push(f);
  }

  /** Ends the capture: every flow still open is done, as it stands at the last packet. */
  finish(): void {
    this.cool = [];
    this.coolTimes = [];
    this.coolHead = 0;
    this.gone = [];
    this.goneHead = 0;
    this.goneBase = 0;
    this.goneOpen = 0;
    const open = this.flows.toArray().sort((a, b) => a.n - b.n);
    this.flows.clear();
    this.index.clear();
    for (const f of open) this.done(f, this.lastUs, 'end');
  }

  /**
   * The capture's clock moves on without a segment for this tracker (another tracker's share): time
   * as it passes decides when TIME_WAIT ends and a closed flow is done.
   */
  clock(timeUs: number): void {
    if (timeUs > this.lastUs) this.lastUs = timeUs;
  }

  /** The number of the oldest flow open now (Infinity when none). */
  get oldestOpen(): number {
    return this.flows.oldest?.n ?? Number.POSITIVE_INFINITY;
  }

  /** The open flows whose ends are kept as numbers now (for tests). */
  get frozenFlows(): number {
    return this.frozen?.size ?? 0;
  }

  /** The flows open now (for tests and progress). */
  get openFlows(): number {
    return this.flows.size;
  }

  /** Both ends' machines of every open flow, by connection number (to compare runs); every flow as objects after. */
  machines(): { n: number; client: Tcb; server: Tcb }[] {
    const open = this.flows.toArray();
    for (const f of open) if (this.thaw(f)) this.queueCool(f, this.stats.packets);
    return open.map((f) => ({ n: f.n, client: f.ends[0].tcb, server: f.ends[1].tcb }));
  }

  /** Whether a bare SYN on a known 4-tuple begins a new connection rather than belonging to this one. */
  private startsAnew(f: Flow, p: WirePacket): boolean {
    if (f.bothGone) return true;
    const a = f.ends[0];
    const b = f.ends[1];
    const sender = p.src === a.address && p.sport === a.port ? a : b;
    // The same SYN again is a retransmission; a SYN with another ISS before any answer is a new attempt.
    const answered = ((a.letters | b.letters) & LETTER.h) !== 0;
    return !answered && sender.nxt !== NO_SEQ && p.seq !== seqAdd(sender.nxt, -1);
  }

  private forget(f: Flow): void {
    this.flows.delete(f);
    if (f.goneSince >= 0) {
      this.gone[f.goneAt - this.goneBase] = undefined;
      f.goneSince = NO_TIME;
      this.goneOpen--;
    }
    this.index.delete(f);
  }

  /** Over the bound: the flows idle the longest (a tenth of the bound at a time) are done. */
  private evict(): void {
    const n = Math.max(1, Math.ceil(this.maxFlows / 10));
    // The n-th smallest idle time by selection, not a sort of every flow: a SYN flood evicts
    // again and again, and sorting a million flows each time cost a minute. The flows are walked
    // once (each a cache miss or two): they and their times go to arrays, kept.
    const size = this.flows.size;
    if (this.evictTimes.length < size) {
      this.evictTimes = new Float64Array(size);
      this.evictCut = new Float64Array(size);
    }
    const times = this.evictTimes;
    const flows = this.evictFlows;
    let i = 0;
    for (let f = this.flows.oldest; f !== undefined; f = f.newerOpen) {
      flows[i] = f;
      times[i++] = f.lastUs;
    }
    const select = this.evictCut.subarray(0, size);
    select.set(times.subarray(0, size));
    const cut = nthSmallest(select, Math.min(n, size) - 1);
    let below = 0;
    for (let k = 0; k < size; k++) if (times[k]! < cut) below++;
    // Those idle longer than the cut, and those at the cut itself, oldest first, until n; in the
    // order they opened, which is the list's.
    let atCut = n - below;
    const idle: Flow[] = [];
    for (let k = 0; k < size; k++) {
      const t = times[k]!;
      if (t < cut || (t === cut && atCut-- > 0)) idle.push(flows[k]!);
    }
    flows.length = 0;
    for (const f of idle) {
      this.forget(f);
      this.thaw(f);
      const live = f.ends.some((e) => e.tcb.state !== 'CLOSE' && e.tcb.state !== 'LISTEN');
      if (live) this.stats.evicted++;
      this.done(f, f.lastUs, live ? 'evicted' : 'end');
    }
  }

  private open(lo: string, hi: string, ports: number, p: WirePacket): Flow {
    if (this.flows.size >= this.maxFlows) this.evict();
    const syn = (p.flags & SYN) !== 0 && (p.flags & RST) === 0;
    const synAck = syn && (p.flags & ACK) !== 0;
    let client: End;
    let server: End;
    let midstream = false;
    const w = OBSERVER_WINDOW;
    if (syn && !synAck) {
      client = newEnd(p.src, p.sport, createTcb({ rcvWnd: w }));
      server = newEnd(p.dst, p.dport, createTcb({ state: 'LISTEN', rcvWnd: w }));
    } else if (synAck) {
      // The handshake's first SYN was missed: the receiver of this SYN+ACK is the client.
      client = newEnd(p.dst, p.dport, createTcb({ state: 'SYN_SENT', iss: seqAdd(p.ack, -1), rcvWnd: w }));
      server = newEnd(p.src, p.sport, createTcb({ state: 'LISTEN', rcvWnd: w }));
      client.nxt = p.ack;
      midstream = true;
    } else {
      midstream = true;
      const ack = (p.flags & ACK) !== 0 ? p.ack : 0;
      const est = 'ESTABLISHED' as const;
      client = newEnd(
        p.src,
        p.sport,
        createTcb({ state: est, iss: seqAdd(p.seq, -1), irs: seqAdd(ack, -1), rcvWnd: w }),
      );
      server = newEnd(
        p.dst,
        p.dport,
        createTcb({ state: est, iss: seqAdd(ack, -1), irs: seqAdd(p.seq, -1), rcvWnd: w }),
      );
      client.nxt = p.seq;
      server.nxt = ack;
    }
    client.log = [p.timeUs, CODE[client.tcb.state]];
    server.log = [p.timeUs, CODE[server.tcb.state]];
    const n = this.opts.number ? this.opts.number() : this.nextN++;
    const f: Flow = (this.spare.pop() ?? new FlowRecord()).reuse(
      n,
      lo,
      hi,
      ports,
      p.family,
      [client, server],
      p.timeUs,
      midstream,
      this.opts.record?.(n) ? [] : undefined,
    );
    this.flows.add(f);
    this.index.add(f);
    this.queueCool(f, this.stats.packets);
    return f;
  }

  private segment(f: Flow, p: WirePacket): void {
    const a = f.ends[0];
    const b = f.ends[1];
    const from: 0 | 1 = p.src === a.address && p.sport === a.port ? 0 : 1;
    const s = from === 0 ? a : b;
    const r = from === 0 ? b : a;
    const flags = p.flags;
    const st = s.tcb;
    const rt = r.tcb;
    // The fast path: an in-order ACK or data segment between ESTABLISHED ends that tells nothing new.
    if (
      this.fastPath &&
      (flags & (SYN | FIN | RST | ACK)) === ACK &&
      p.window !== 0 &&
      s.nxt === p.seq &&
      st.state === 'ESTABLISHED' &&
      rt.state === 'ESTABLISHED' &&
      rt.rcvNxt === p.seq &&
      rt.ooo.length === 0 &&
      st.rcvNxt !== undefined &&
      !seqGt(p.ack, st.rcvNxt) &&
      seqLe(p.ack, rt.sndNxt) &&
      (s.zeek === 'ESTABLISHED' || s.zeek === 'PARTIAL') &&
      r.zeek !== 'SYN_ACK_SENT' &&
      !r.sentFin &&
      f.events === undefined
    ) {
      // Zeek's letter for data or a bare ACK, the first time this end shows it.
      letter(f, s, from, p.len > 0 ? 'd' : 'a');
      s.packets++;
      s.bytes += p.len;
      if (p.len > 0) s.nxt = (p.seq + p.len) >>> 0;
      f.lastUs = p.timeUs;
      fastSegment(st as MutableTcb, rt as MutableTcb, p);
      this.stats.fast++;
      return;
    }
    const nowMs = p.timeUs / 1000;
    if (a.tcb.state === 'TIME_WAIT' || b.tcb.state === 'TIME_WAIT') this.expire(f, nowMs);
    // A bare SYN from the end taken for a listener, before it sent anything else: both ends were
    // opening at once (simultaneous open, RFC 9293 section 3.5). That end never listened: it sent
    // its SYN before the peer's reached it, then received the peer's SYN.
    const crossed =
      from === 1 &&
      !f.midstream &&
      s.packets === 0 &&
      (flags & (SYN | ACK | RST)) === SYN &&
      r.nxt !== NO_SEQ;
    if (crossed) {
      f.held = undefined;
      s.tcb = createTcb({ rcvWnd: OBSERVER_WINDOW });
      s.log = [s.log[0]!, CODE.CLOSE];
      s.simOpen = true;
      r.simOpen = true;
    }
    // Its first SYN+ACK, sent before the peer's reached it, is seen after: it changes nothing here.
    const crossingSynAck =
      s.simOpen === true &&
      (flags & (SYN | ACK | RST | FIN)) === (SYN | ACK) &&
      (s.letters & LETTER.h) === 0 &&
      s.tcb.state === 'ESTABLISHED';
    f.lastUs = p.timeUs;
    s.packets++;
    s.bytes += p.len;
    const fate = this.sequence(f, s, p);
    this.zeek(f, from, p, fate);
    // The segment as each machine takes it: the tracker's own two, reused (a step keeps no segment).
    const seg = this.segSent;
    seg.seq = p.seq;
    seg.ack = p.ack;
    seg.flags = flags;
    seg.len = p.len;
    // The ladder's row names the transitions; without a ladder, nothing does.
    const ts: ConnTransition[] | undefined = f.events ? [] : undefined;
    // This end acknowledges the peer's FIN: it has it, from before this segment left.
    const pending = s.pendingFin;
    if (pending && (flags & ACK) !== 0 && (flags & RST) === 0 && seqGt(p.ack, pending.seq)) {
      s.pendingFin = undefined;
      const was = s.tcb.state;
      const at = Math.max(s.pendingAtUs, s.log[s.log.length - 2]!);
      const got = this.step(f, s.tcb, 'recv', pending, at / 1000);
      s.tcb = got.tcb;
      const moved = this.note(f, from, got, at);
      // It arrived when it was seen, unless this end did something in between: the ladder says so.
      if (!this.backdate(f, from, s.pendingAtRow, was, moved, got)) ts?.push(...moved);
    }
    // The capture missed what this end acknowledges: take its word for what it has received.
    if (
      (flags & ACK) !== 0 &&
      (flags & (SYN | RST)) === 0 &&
      SYNCED.has(s.tcb.state) &&
      s.tcb.rcvNxt !== undefined &&
      seqGt(p.ack, s.tcb.rcvNxt)
    ) {
      const t = s.tcb as MutableTcb;
      t.rcvNxt = p.ack;
      if (t.ooo.length > 0) t.ooo = [];
    }
    const sent: StepResult = crossingSynAck
      ? { tcb: s.tcb, transitions: [], anomalies: [], send: [], applied: [] }
      : this.step(f, s.tcb, 'sent', seg, nowMs);
    s.tcb = sent.tcb;
    const sentMoved = this.note(f, from, sent, p.timeUs);
    ts?.push(...sentMoved);
    if (crossed) {
      // The peer's SYN, seen earlier at the capture point, reached this end after its own left.
      const peerSyn: Segment = { seq: seqAdd(r.nxt, -1), ack: 0, flags: SYN, len: 0 };
      const got = stepInPlace(s.tcb as MutableTcb, { kind: 'recv', time: nowMs, segment: peerSyn });
      s.tcb = got.tcb;
      const moved = this.note(f, from, got, p.timeUs);
      ts?.push(...moved);
    }
    // A FIN reaches the peer when the peer says so (above); what comes with it counts now.
    let toPeer: Segment = seg;
    if ((flags & (FIN | RST | SYN)) === FIN) {
      const fin: Segment = { seq: seqAdd(p.seq, p.len), ack: p.ack, flags: flags & (FIN | ACK), len: 0 };
      const again = r.pendingFin !== undefined && r.pendingFin.seq === fin.seq;
      if (!again && SYNCED.has(r.tcb.state) && r.tcb.rcvNxt !== undefined && seqLe(fin.seq, r.tcb.rcvNxt)) {
        r.pendingFin = fin;
        r.pendingAtUs = p.timeUs;
        r.pendingAtRow = f.events ? f.events.length : -1;
        const bare = this.segRecv;
        bare.seq = p.seq;
        bare.ack = p.ack;
        bare.flags = flags & ~FIN;
        bare.len = p.len;
        toPeer = bare;
      } else if (again) r.pendingFin = undefined;
    }
    const recv = this.step(f, r.tcb, 'recv', toPeer, nowMs);
    r.tcb = recv.tcb;
    const recvMoved = this.note(f, from === 0 ? 1 : 0, recv, p.timeUs);
    if (ts) {
      ts.push(...recvMoved);
      this.row(f, p, from, fate, ts, [sent, recv]);
    }
  }

  /**
   * One end's machine takes a segment: the observer's quick step for the usual segments, the full
   * step for the rest and whenever the ladder is recorded (it tells why each step did what it did).
   */
  private step(f: Flow, tcb: Tcb, kind: 'sent' | 'recv', segment: Segment, time: number): StepResult {
    const q = this.quick;
    if (f.events === undefined && observeStep(tcb as MutableTcb, kind, segment, time, q)) {
      // One result, reused: it is read before the next step, and kept only when a ladder is recorded.
      const r = this.quickResult;
      r.tcb = tcb;
      const list = q.count === 0 ? NOTHING : q.count === 1 ? this.quickOne : this.quickTwo;
      for (let i = 0; i < q.count; i++) {
        const t = list[i] as Mutable<FsmTransition>;
        t.time = time;
        t.from = q.from[i]!;
        t.to = q.to[i]!;
        t.cause = q.cause[i]!;
      }
      r.transitions = list;
      return r;
    }
    return stepInPlace(tcb as MutableTcb, { kind, time, segment });
  }

  /**
   * Moves a FIN's effect on end `k` back to the ladder row where the FIN was seen, when every row
   * since shows the end still in `was` (it acknowledged nothing in between). False when it cannot.
   */
  private backdate(
    f: Flow,
    k: 0 | 1,
    row: number,
    was: TcpState,
    moved: readonly ConnTransition[],
    r: StepResult,
  ): boolean {
    const events = f.events as Mutable<ConnEvent>[] | undefined;
    if (!events || row < 0 || row >= events.length || moved.length === 0) return false;
    for (let i = row; i < events.length; i++) if (events[i]!.views[k].state !== was) return false;
    const first = events[row]!;
    first.transitions = [...first.transitions, ...moved];
    const w = explain(r);
    if (w !== '') first.why = first.why ? `${first.why}; ${k === 0 ? 'client' : 'server'}: ${w}` : w;
    const now = f.ends[k].tcb.state;
    for (let i = row; i < events.length; i++) {
      const v = [...events[i]!.views] as [EndView, EndView];
      v[k] = { state: now };
      events[i]!.views = v;
    }
    return true;
  }

  /** Counts, history and anomalies of what one end sent; whether it repeats or skips sequence space. */
  private sequence(f: Flow, s: End, p: WirePacket): '' | 'retransmission' | 'gap' {
    const space = p.len + ((p.flags & SYN) !== 0 ? 1 : 0) + ((p.flags & FIN) !== 0 ? 1 : 0);
    if ((p.flags & RST) !== 0 || space === 0) return '';
    const end = seqAdd(p.seq, space);
    let fate: '' | 'retransmission' | 'gap' = '';
    if (s.nxt !== NO_SEQ) {
      // A simultaneous open's SYN+ACK carries the SYN again: the handshake, not a retransmission.
      const synAckOfSimOpen =
        s.simOpen === true && (p.flags & (SYN | ACK)) === (SYN | ACK) && (s.letters & LETTER.h) === 0;
      if (seqLt(p.seq, s.nxt) && !synAckOfSimOpen) {
        fate = 'retransmission';
        s.retransmissions++;
        if ((p.flags & SYN) !== 0) f.synRetransmitted = true;
      } else if (seqGt(p.seq, s.nxt)) fate = 'gap';
    }
    if (s.nxt === NO_SEQ || seqGt(end, s.nxt)) s.nxt = end;
    return fate;
  }

  /** Zeek's endpoint states and history letters. */
  private zeek(f: Flow, from: 0 | 1, p: WirePacket, fate: string): void {
    const s = f.ends[from];
    const o = f.ends[from === 0 ? 1 : 0];
    const fl = p.flags;
    const syn = (fl & SYN) !== 0;
    const rst = (fl & RST) !== 0;
    const fin = (fl & FIN) !== 0;
    if (syn && (rst || fin)) letter(f, s, from, 'q');
    if (rst) {
      letter(f, s, from, 'r');
      s.zeek = 'RESET';
      addAnomaly(f, 'rst');
      if (f.firstClose < 0) f.firstClose = from * 2 + 1;
      return;
    }
    if (syn) {
      letter(f, s, from, (fl & ACK) !== 0 ? 'h' : 's');
      if ((fl & ACK) === 0 && s.zeek === 'INACTIVE') s.zeek = 'SYN_SENT';
      if ((fl & ACK) !== 0 && (s.zeek === 'INACTIVE' || s.zeek === 'SYN_SENT')) s.zeek = 'SYN_ACK_SENT';
    }
    if (p.len > 0) {
      letter(f, s, from, 'd');
      if (o.sentFin && !s.sentFin) addAnomaly(f, 'half-close');
    }
    if (fate === 'retransmission' && p.len > 0) {
      s.retransLetters++;
      if (isPowerOf10(s.retransLetters)) f.history += from === 0 ? 'T' : 't';
    }
    if (fate === 'gap') letter(f, s, from, 'g');
    if (p.window === 0 && !syn) {
      s.zeroWindows++;
      addAnomaly(f, 'zero-window');
      if (isPowerOf10(s.zeroWindows)) f.history += from === 0 ? 'W' : 'w';
    }
    if (!syn && (fl & ACK) !== 0 && p.len === 0 && !fin) letter(f, s, from, 'a');
    if (fin) {
      letter(f, s, from, 'f');
      s.sentFin = true;
      if (s.zeek !== 'RESET') s.zeek = 'CLOSED';
      if (f.firstClose < 0) f.firstClose = from * 2;
      return;
    }
    if (!syn && (fl & ACK) !== 0) {
      if (s.zeek === 'INACTIVE') s.zeek = f.midstream ? 'PARTIAL' : 'ESTABLISHED';
      else if (s.zeek === 'SYN_SENT' || s.zeek === 'SYN_ACK_SENT') s.zeek = 'ESTABLISHED';
      if (o.zeek === 'SYN_ACK_SENT' && s.zeek === 'ESTABLISHED') o.zeek = 'ESTABLISHED';
    }
  }

  /** Records an end's transitions and anomalies; returns them as the trace names them. */
  private note(f: Flow, k: 0 | 1, r: StepResult, atUs: number): readonly ConnTransition[] {
    const e = f.ends[k];
    const id = k === 0 ? 'client' : 'server';
    // Indexed loops: the lists are shared empty ones, the quick step's or the full step's, and
    // iterating such a mix went through the generic iterator, an object per element.
    const anomalies = r.anomalies;
    for (let i = 0; i < anomalies.length; i++) addAnomaly(f, anomalies[i]!.id);
    const transitions = r.transitions;
    if (transitions.length === 0) return NOTHING;
    // The ladder's rows name them; without a ladder, nothing does.
    const out: ConnTransition[] | undefined = f.events ? [] : undefined;
    const hook = this.opts.onTransition;
    for (let i = 0; i < transitions.length; i++) {
      const t = transitions[i]!;
      out?.push({ end: id, from: t.from, to: t.to, cause: t.cause });
      if (hook) this.tell(f, k, t.from, t.to, t.cause, atUs);
      const state: TcpState = t.to === 'LISTEN' ? 'CLOSE' : t.to;
      const log = e.log;
      if (log[log.length - 1] !== CODE[state]) log.push(atUs, CODE[state]);
    }
    return out ?? NOTHING;
  }

  private tell(f: Flow, k: 0 | 1, from: TcpState, to: TcpState, cause: string, atUs: number): void {
    const e = f.ends[k];
    const o = f.ends[k === 0 ? 1 : 0];
    const t: FlowTransition = {
      n: f.n,
      family: f.family,
      end: k === 0 ? 'client' : 'server',
      local: { address: e.address, port: e.port },
      remote: { address: o.address, port: o.port },
      from,
      to,
      cause,
      atUs,
    };
    if (k === 1 && !f.midstream) {
      if (f.serverless) return;
      if (e.packets === 0) {
        if (f.held) f.held.push(t);
        else f.held = [t];
        return;
      }
      // Its first answer an RST, no SYN+ACK: nothing listened there.
      if (f.held && (e.letters & (LETTER.r | LETTER.h)) === LETTER.r) {
        f.held = undefined;
        f.serverless = true;
        return;
      }
      this.release(f);
    }
    this.opts.onTransition!(t);
  }

  /** Tells the server end's transitions still held (a SYN never answered, as far as the capture saw). */
  private release(f: Flow): void {
    const held = f.held;
    if (!held) return;
    f.held = undefined;
    for (const h of held) this.opts.onTransition!(h);
  }

  /** TIME_WAIT ends after 2MSL (60 s on Linux): fires the timer of each end whose deadline passed. */
  private expire(f: Flow, nowMs: number): void {
    this.expireEnd(f, 0, nowMs);
    this.expireEnd(f, 1, nowMs);
  }

  /** Fires end `k`'s TIME_WAIT timer when its deadline has passed. */
  private expireEnd(f: Flow, k: 0 | 1, nowMs: number): void {
    const e = f.ends[k];
    if (e.tcb.state !== 'TIME_WAIT') return;
    const due = e.tcb.timers['time-wait'];
    if (due === undefined || due > nowMs) return;
    const ev: FsmEvent = { kind: 'timer', time: due, timer: 'time-wait' };
    const r = stepInPlace(e.tcb as MutableTcb, ev);
    e.tcb = r.tcb;
    const ts = this.note(f, k, r, Math.round(due * 1000));
    if (f.events) {
      f.events.push({
        n: f.events.length + 1,
        time: due - f.startUs / 1000,
        kind: 'timer',
        at: k === 0 ? 'client' : 'server',
        text: 'TIME_WAIT timer (2MSL)',
        why: explain(r),
        transitions: ts,
        anomalies: [],
        views: views(f),
      });
    }
  }

  private row(
    f: Flow,
    p: WirePacket,
    from: 0 | 1,
    fate: string,
    transitions: ConnTransition[],
    results: [StepResult, StepResult],
  ): void {
    const events = f.events!;
    const ids = ['client', 'server'] as const;
    const s = f.ends[from];
    const r = f.ends[from === 0 ? 1 : 0];
    const anomalies = results.flatMap((res, i) =>
      res.anomalies.map((a) => ({ end: ids[i === 0 ? from : 1 - from]!, id: a.id, state: a.state })),
    );
    // What the sender did matters only when it changed something; the receiver's reading always.
    const sentWhy = results[0].transitions.length || results[0].anomalies.length ? explain(results[0]) : '';
    const recvWhy = explain(results[1]);
    const why = [sentWhy, recvWhy === '' ? '' : `${ids[from === 0 ? 1 : 0]}: ${recvWhy}`]
      .filter((x) => x !== '')
      .join('; ');
    const what = `${flagsText(p.flags)}${p.len > 0 ? `+data (${p.len} bytes)` : ''}`;
    events.push({
      n: events.length + 1,
      time: (p.timeUs - f.startUs) / 1000,
      kind: 'seen',
      at: ids[from],
      text:
        fate === ''
          ? what
          : fate === 'gap'
            ? `${what} after a gap (segments missing from the capture)`
            : `${what} again (${fate})`,
      packet: {
        id: events.length + 1,
        from: { host: s.address, port: s.port },
        to: { host: r.address, port: r.port },
        fromEnd: ids[from],
        toEnd: ids[from === 0 ? 1 : 0],
        segment: { seq: p.seq, ack: p.ack, flags: p.flags, len: p.len },
        sentAt: (p.timeUs - f.startUs) / 1000,
      },
      ...(why === '' ? {} : { why }),
      transitions,
      anomalies,
      views: views(f),
    });
  }

  /** A connection is over (or cut short): its summary goes out. */
  /** A FIN still waiting for its acknowledgment when the connection is done is taken as received. */
  private finPending(f: Flow, k: 0 | 1): void {
    const e = f.ends[k];
    const fin = e.pendingFin;
    if (!fin || e.tcb.state === 'CLOSE') return;
    e.pendingFin = undefined;
    const r = stepInPlace(e.tcb as MutableTcb, { kind: 'recv', time: f.lastUs / 1000, segment: fin });
    e.tcb = r.tcb;
    this.note(f, k, r, f.lastUs);
  }

  /** A TIME_WAIT end gives way to the next connection on its 4-tuple. */
  private givesWay(f: Flow, k: 0 | 1, atUs: number): void {
    const e = f.ends[k];
    if (e.log[e.log.length - 1] !== CODE.TIME_WAIT) return;
    e.log.push(atUs, CODE.CLOSE);
    if (this.opts.onTransition) this.tell(f, k, 'TIME_WAIT', 'CLOSE', 'reused', atUs);
  }

  private done(f: Flow, atUs: number, why: 'reused' | 'evicted' | 'end'): void {
    this.thaw(f);
    if (this.opts.onTransition) this.release(f);
    this.finPending(f, 0);
    this.finPending(f, 1);
    if (why !== 'evicted') this.expire(f, atUs / 1000);
    const client = f.ends[0];
    const server = f.ends[1];
    if (why === 'reused') {
      this.givesWay(f, 0, atUs);
      this.givesWay(f, 1, atUs);
    }
    // An RST answering the SYN, no SYN+ACK ever: nothing listened there, the server end never existed.
    if (!f.midstream && (server.letters & (LETTER.r | LETTER.h)) === LETTER.r && server.bytes === 0)
      server.log = [server.log[0]!, server.log[1]!, server.log[0]!, CODE.CLOSE];
    if (why === 'evicted') addAnomaly(f, 'evicted');
    if (f.synRetransmitted) addAnomaly(f, 'syn-retransmitted');
    if (!f.midstream && !(wasEstablished(client) && wasEstablished(server)))
      addAnomaly(f, 'handshake-incomplete');
    const conn: Mutable<Conn> = {
      n: f.n,
      family: f.family,
      client: connEnd(client, f.midstream),
      server: connEnd(server, f.midstream),
      startUs: f.startUs,
      lastUs: f.lastUs,
      midstream: f.midstream,
      connState: connState(f),
      history: f.history,
      anomalies: f.anomalies,
    };
    if (f.firstClose >= 0) conn.firstClose = FIRST_CLOSE[f.firstClose]!;
    this.stats.connections++;
    this.opts.onConn?.(f.events ? { ...conn, trace: traceOf(f) } : conn);
    // The flow lived long enough to be old; its ends, made again from numbers, are young. V8's
    // scavenges take whatever an old object points to for alive until a full collection finds the
    // old one dead, which would copy these twice and keep them in the old heap until then.
    f.ends = GONE_ENDS;
    f.events = undefined;
    f.held = undefined;
    f.anomalies = NO_ANOMALIES;
    f.history = '';
    f.alive = false;
    if (this.spare.length < this.spareFlows) this.spare.push(f as FlowRecord);
  }
}

/** Whether an end was ever ESTABLISHED. */
function wasEstablished(e: End): boolean {
  for (let i = 1; i < e.log.length; i += 2) if (e.log[i] === CODE.ESTABLISHED) return true;
  return false;
}

/** An end's log from `from` on as the states it passed through. */
function statesOf(log: readonly number[], from: number): StateAt[] {
  const out: StateAt[] = [];
  for (let i = from; i < log.length; i += 2) out.push({ state: TCP_STATES[log[i + 1]!]!, atUs: log[i]! });
  return out;
}

/** What a connection's summary says of an end. */
function connEnd(e: End, midstream: boolean): ConnEnd {
  return {
    address: e.address,
    port: e.port,
    // The first entry is where the end stood before the capture saw it act (CLOSE, LISTEN): left out.
    states: statesOf(e.log, midstream ? 0 : 2),
    packets: e.packets,
    bytes: e.bytes,
    retransmissions: e.retransmissions,
  };
}

/**
 * The fast path: an in-order segment with ACK and maybe data, between two ESTABLISHED ends, with
 * nothing queued out of order. What `step()` would do, without the table: the sender's SND.NXT, the
 * receiver's RCV.NXT and SND.UNA move on; no state changes, nothing to explain.
 */
function fastSegment(s: MutableTcb, r: MutableTcb, p: WirePacket): void {
  const end = (p.seq + p.len) >>> 0;
  if (seqGt(end, s.sndNxt)) s.sndNxt = end;
  if (seqGt(p.ack, r.sndUna)) {
    r.sndUna = p.ack;
    r.retries = 0;
    r.rtoMs = r.limits.rtoMinMs;
  }
  if (p.len > 0) {
    r.rcvNxt = end;
    r.unread += p.len;
  }
}

/** Names an anomaly once. The list is copied on write: most connections share the empty one. */
function addAnomaly(f: Flow, a: ConnAnomaly): void {
  if (!f.anomalies.includes(a)) f.anomalies = [...f.anomalies, a];
}

const NO_ANOMALIES: readonly ConnAnomaly[] = Object.freeze([]);

/**
 * A flow. Done flows are taken again for new ones (`reuse`): a flow lives long enough to be in V8's
 * old heap, where a new one for each connection would be garbage for a full collection to find.
 */
class FlowRecord implements Flow {
  n = 0;
  lo = '';
  hi = '';
  ports = 0;
  family: 4 | 6 = 4;
  ends: [End, End] = GONE_ENDS;
  // Doubles from the start, so that V8 keeps these fields as ones and updates them in place.
  startUs = NO_TIME;
  lastUs = NO_TIME;
  midstream = false;
  events: ConnEvent[] | undefined = undefined;
  history = '';
  anomalies: readonly ConnAnomaly[] = NO_ANOMALIES;
  firstClose = -1;
  synRetransmitted = false;
  held: FlowTransition[] | undefined = undefined;
  serverless = false;
  goneSince = NO_TIME;
  goneAt = -1;
  frozen = -1;
  nextSame: Flow | undefined = undefined;
  olderOpen: Flow | undefined = undefined;
  newerOpen: Flow | undefined = undefined;
  bothGone = false;
  alive = false;
  seen = 0;

  /** Makes this the flow of a new connection (a new record, or a done one). */
  reuse(
    n: number,
    lo: string,
    hi: string,
    ports: number,
    family: 4 | 6,
    ends: [End, End],
    startUs: number,
    midstream: boolean,
    events: ConnEvent[] | undefined,
  ): this {
    this.n = n;
    this.lo = lo;
    this.hi = hi;
    this.ports = ports;
    this.family = family;
    this.ends = ends;
    this.startUs = startUs;
    this.lastUs = startUs;
    this.midstream = midstream;
    this.events = events;
    this.history = '';
    this.anomalies = midstream ? MIDSTREAM : NO_ANOMALIES;
    this.firstClose = -1;
    this.synRetransmitted = false;
    this.held = undefined;
    this.serverless = false;
    this.goneSince = NO_TIME;
    this.goneAt = -1;
    this.frozen = -1;
    this.nextSame = undefined;
    this.bothGone = false;
    this.alive = true;
    this.seen = 0;
    return this;
  }
}

/** No time: before a flow's first packet, and out of the queue of gone flows. */
const NO_TIME = -0.5;
const MIDSTREAM: readonly ConnAnomaly[] = Object.freeze(['midstream']);

/** `firstClose` by its number: the end (client 0, server 1) times two, plus 1 for an RST. */
const FIRST_CLOSE: readonly NonNullable<Conn['firstClose']>[] = [
  Object.freeze({ end: 'client', how: 'FIN' }),
  Object.freeze({ end: 'client', how: 'RST' }),
  Object.freeze({ end: 'server', how: 'FIN' }),
  Object.freeze({ end: 'server', how: 'RST' }),
];

/** Writes a history letter the first time this end shows it (upper case from the client). */
function letter(f: Flow, e: End, from: 0 | 1, l: Letter): void {
  if ((e.letters & LETTER[l]) !== 0) return;
  e.letters |= LETTER[l];
  f.history += from === 0 ? l.toUpperCase() : l;
}

function isPowerOf10(n: number): boolean {
  return n === 1 || n === 10 || n === 100 || n === 1000 || n === 10_000 || n === 100_000;
}

function explain(r: StepResult): string {
  return r.applied
    .filter((a) => !QUIET.has(a.cls) || a.outcome.to !== undefined || a.outcome.anomaly)
    .map((a) => a.outcome.why)
    .join('; ');
}

function views(f: Flow): [EndView, EndView] {
  return [{ state: f.ends[0].tcb.state }, { state: f.ends[1].tcb.state }];
}

function traceOf(f: Flow): ConnTrace {
  const [c, s] = f.ends;
  const cText = endpointOf({ address: c.address, port: c.port });
  const sText = endpointOf({ address: s.address, port: s.port });
  return {
    id: String(f.n),
    title: `Connection ${f.n}: ${cText} to ${sText}`,
    about: f.midstream ? 'First seen after its handshake: both ends are taken to start ESTABLISHED.' : '',
    ends: [
      { id: 'client', label: cText },
      { id: 'server', label: sText },
    ],
    events: f.events ?? [],
    truncated: false,
    startUs: f.startUs,
    source: 'capture',
  };
}

/** Zeek's `conn_state` from both ends' Zeek states (base/protocols/conn/main.zeek). */
function connState(f: Flow): string {
  const [o, r] = f.ends;
  const os = o.zeek;
  const rs = r.zeek;
  const oIn = os === 'INACTIVE' || os === 'PARTIAL';
  const rIn = rs === 'INACTIVE' || rs === 'PARTIAL';
  if (rs === 'RESET') {
    if (os === 'SYN_SENT' || os === 'SYN_ACK_SENT' || (os === 'RESET' && o.bytes === 0 && r.bytes === 0))
      return 'REJ';
    return oIn ? 'RSTRH' : 'RSTR';
  }
  if (os === 'RESET') {
    if (rIn) return /^\^?S[^HAFGIQ]*R/.test(f.history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === 'CLOSED' && os === 'CLOSED') return 'SF';
  if (os === 'CLOSED') return rIn ? 'SH' : 'S2';
  if (rs === 'CLOSED') return oIn ? 'SHR' : 'S3';
  if (os === 'SYN_SENT' && rs === 'INACTIVE') return 'S0';
  if (os === 'ESTABLISHED' && rs === 'ESTABLISHED') return 'S1';
  return 'OTH';
}
