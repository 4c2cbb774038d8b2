/**
 * Both ends of flows put away while only a later segment could change them: flows whose ends are
 * both gone (CLOSE, TIME_WAIT) waiting out TIME_WAIT's minute, which is where a capture's tracker
 * keeps most of its flows, and quiet ones (a SYN flood's). An end, its machine and its states are a
 * row of numbers in typed arrays here (about 250 bytes, nothing for the garbage collector to trace)
 * rather than a dozen objects (about 1 KB), and become objects again, equal field for field, when
 * the flow is touched: a segment, the next connection on its 4-tuple, its end. (pure)
 */
import { createTcb, LINUX_LIMITS, TCP_STATES, type Tcb, type TimerName } from '../tcp/index.js';
import { CODE, type End, type Mutable, type MutableTcb, newEnd, type ZeekEnd } from './end.js';

/** Rows a chunk of the typed arrays holds (about 2 MB). */
const CHUNK_ROWS = 4096;

/** The most states an end's log may hold to be put away (its log's numbers are twice as many). */
const LOG_STATES = 8;

/** Numbers of an end kept as doubles: counts, times, the log's times. */
const F = {
  packets: 0,
  bytes: 1,
  retransmissions: 2,
  retransLetters: 3,
  zeroWindows: 4,
  pendingAtUs: 5,
  nxt: 6,
  unread: 7,
  rcvWnd: 8,
  rtoMs: 9,
  retries: 10,
  synAt: 11,
  retransmit: 12,
  timeWait: 13,
  finWait2: 14,
  log: 15,
} as const;
const F_END = F.log + LOG_STATES;

/** Numbers of an end kept as 32-bit words: the port, codes, flags and sequence numbers. */
const U = {
  port: 0,
  zeek: 1,
  letters: 2,
  flags: 3,
  pendingAtRow: 4,
  state: 5,
  iss: 6,
  sndUna: 7,
  sndNxt: 8,
  finSeq: 9,
  irs: 10,
  rcvNxt: 11,
  tsRecent: 12,
  logLength: 13,
  /** The log's state codes, four bytes to a word. */
  codes: 14,
} as const;
const U_END = U.codes + LOG_STATES / 4;

/** Bits of U.flags. */
const SENT_FIN = 1;
const SIM_OPEN = 2;
const PASSIVE = 4;
const ORPHAN = 8;
const FIN_QUEUED = 16;
const HAS_FIN_SEQ = 32;
const HAS_IRS = 64;
const HAS_RCV_NXT = 128;
const HAS_TS_RECENT = 256;

const ZEEK: readonly ZeekEnd[] = [
  'INACTIVE',
  'SYN_SENT',
  'SYN_ACK_SENT',
  'PARTIAL',
  'ESTABLISHED',
  'CLOSED',
  'RESET',
];
const ZEEK_CODE = new Map(ZEEK.map((z, i) => [z, i]));

/** The timers a TCB may carry, in the order a row keeps them. */
const TIMERS: readonly (readonly [TimerName, number])[] = [
  ['retransmit', F.retransmit],
  ['time-wait', F.timeWait],
  ['fin-wait2', F.finWait2],
];
const NO_TIMERS: Tcb['timers'] = Object.freeze({});

/** Rows of flows' two ends, reused once thawed. */
export class FrozenEnds {
  /** Rows in chunks of CHUNK_ROWS, never moved: a new chunk when all are full. */
  private readonly fChunks: Float64Array[] = [];
  private readonly uChunks: Uint32Array[] = [];
  /** Each end's address (strings are shared with the address cache: a pointer each). */
  private addresses: (string | undefined)[] = [];
  private rows = 0;
  private readonly free: number[] = [];

  /** Rows in use. */
  get size(): number {
    return this.rows - this.free.length;
  }

  /** Whether both ends can be kept as numbers (no FIN waiting, nothing out of order, the usual limits, a short log). */
  static fits(ends: readonly [End, End]): boolean {
    return fitsEnd(ends[0]) && fitsEnd(ends[1]);
  }

  /** Keeps both ends (which `fits` accepted) as a row; the row's number. */
  freeze(ends: readonly [End, End]): number {
    const row = this.free.length ? this.free.pop()! : this.grow();
    this.put(row * 2, ends[0]);
    this.put(row * 2 + 1, ends[1]);
    return row;
  }

  /** Both ends of `row` as objects again, equal to those frozen; the row is free after. */
  thaw(row: number): [End, End] {
    const ends: [End, End] = [this.take(row * 2), this.take(row * 2 + 1)];
    this.addresses[row * 2] = undefined;
    this.addresses[row * 2 + 1] = undefined;
    this.free.push(row);
    return ends;
  }

  private grow(): number {
    const rows = this.rows;
    if (rows % CHUNK_ROWS === 0) {
      this.fChunks.push(new Float64Array(CHUNK_ROWS * 2 * F_END));
      this.uChunks.push(new Uint32Array(CHUNK_ROWS * 2 * U_END));
    }
    this.rows++;
    return rows;
  }

  private put(k: number, e: End): void {
    const chunk = Math.floor(k / (2 * CHUNK_ROWS));
    const f = this.fChunks[chunk]!;
    const u = this.uChunks[chunk]!;
    const fo = (k % (2 * CHUNK_ROWS)) * F_END;
    const uo = (k % (2 * CHUNK_ROWS)) * U_END;
    const t = e.tcb;
    this.addresses[k] = e.address;
    f[fo + F.packets] = e.packets;
    f[fo + F.bytes] = e.bytes;
    f[fo + F.retransmissions] = e.retransmissions;
    f[fo + F.retransLetters] = e.retransLetters;
    f[fo + F.zeroWindows] = e.zeroWindows;
    f[fo + F.pendingAtUs] = e.pendingAtUs;
    f[fo + F.nxt] = e.nxt;
    f[fo + F.unread] = t.unread;
    f[fo + F.rcvWnd] = t.rcvWnd;
    f[fo + F.rtoMs] = t.rtoMs;
    f[fo + F.retries] = t.retries;
    f[fo + F.synAt] = t.synAt ?? Number.NaN;
    for (const [name, at] of TIMERS) f[fo + at] = t.timers[name] ?? Number.NaN;
    u[uo + U.port] = e.port;
    u[uo + U.zeek] = ZEEK_CODE.get(e.zeek)!;
    u[uo + U.letters] = e.letters;
    u[uo + U.flags] =
      (e.sentFin ? SENT_FIN : 0) |
      (e.simOpen ? SIM_OPEN : 0) |
      (t.passive ? PASSIVE : 0) |
      (t.orphan ? ORPHAN : 0) |
      (t.finQueued ? FIN_QUEUED : 0) |
      (t.finSeq !== undefined ? HAS_FIN_SEQ : 0) |
      (t.irs !== undefined ? HAS_IRS : 0) |
      (t.rcvNxt !== undefined ? HAS_RCV_NXT : 0) |
      (t.tsRecent !== undefined ? HAS_TS_RECENT : 0);
    u[uo + U.pendingAtRow] = e.pendingAtRow + 1;
    u[uo + U.state] = CODE[t.state];
    u[uo + U.iss] = t.iss;
    u[uo + U.sndUna] = t.sndUna;
    u[uo + U.sndNxt] = t.sndNxt;
    u[uo + U.finSeq] = t.finSeq ?? 0;
    u[uo + U.irs] = t.irs ?? 0;
    u[uo + U.rcvNxt] = t.rcvNxt ?? 0;
    u[uo + U.tsRecent] = t.tsRecent ?? 0;
    const log = e.log;
    const states = log.length >> 1;
    u[uo + U.logLength] = states;
    for (let i = 0; i < LOG_STATES / 4; i++) u[uo + U.codes + i] = 0;
    for (let i = 0; i < states; i++) {
      f[fo + F.log + i] = log[2 * i]!;
      u[uo + U.codes + (i >> 2)]! |= log[2 * i + 1]! << ((i & 3) * 8);
    }
  }

  private take(k: number): End {
    const chunk = Math.floor(k / (2 * CHUNK_ROWS));
    const f = this.fChunks[chunk]!;
    const u = this.uChunks[chunk]!;
    const fo = (k % (2 * CHUNK_ROWS)) * F_END;
    const uo = (k % (2 * CHUNK_ROWS)) * U_END;
    const flags = u[uo + U.flags]!;
    const t = createTcb() as MutableTcb;
    t.state = TCP_STATES[u[uo + U.state]!]!;
    t.passive = (flags & PASSIVE) !== 0;
    t.orphan = (flags & ORPHAN) !== 0;
    t.finQueued = (flags & FIN_QUEUED) !== 0;
    t.iss = u[uo + U.iss]!;
    t.sndUna = u[uo + U.sndUna]!;
    t.sndNxt = u[uo + U.sndNxt]!;
    t.finSeq = (flags & HAS_FIN_SEQ) !== 0 ? u[uo + U.finSeq]! : undefined;
    t.irs = (flags & HAS_IRS) !== 0 ? u[uo + U.irs]! : undefined;
    t.rcvNxt = (flags & HAS_RCV_NXT) !== 0 ? u[uo + U.rcvNxt]! : undefined;
    t.rcvWnd = f[fo + F.rcvWnd]!;
    t.unread = f[fo + F.unread]!;
    t.retries = f[fo + F.retries]!;
    t.rtoMs = f[fo + F.rtoMs]!;
    const synAt = f[fo + F.synAt]!;
    if (!Number.isNaN(synAt)) t.synAt = synAt;
    if ((flags & HAS_TS_RECENT) !== 0) t.tsRecent = u[uo + U.tsRecent]!;
    let timers: Mutable<Tcb['timers']> | undefined;
    for (const [name, at] of TIMERS) {
      const due = f[fo + at]!;
      if (Number.isNaN(due)) continue;
      timers ??= {};
      timers[name] = due;
    }
    t.timers = timers ?? NO_TIMERS;
    const e = newEnd(this.addresses[k]!, u[uo + U.port]!, t) as Mutable<End>;
    const log: number[] = [];
    const states = u[uo + U.logLength]!;
    for (let i = 0; i < states; i++)
      log.push(f[fo + F.log + i]!, (u[uo + U.codes + (i >> 2)]! >>> ((i & 3) * 8)) & 0xff);
    e.log = log;
    e.packets = f[fo + F.packets]!;
    e.bytes = f[fo + F.bytes]!;
    e.retransmissions = f[fo + F.retransmissions]!;
    e.nxt = f[fo + F.nxt]!;
    e.zeek = ZEEK[u[uo + U.zeek]!]!;
    e.letters = u[uo + U.letters]!;
    e.retransLetters = f[fo + F.retransLetters]!;
    e.zeroWindows = f[fo + F.zeroWindows]!;
    e.sentFin = (flags & SENT_FIN) !== 0;
    e.pendingAtUs = f[fo + F.pendingAtUs]!;
    e.pendingAtRow = u[uo + U.pendingAtRow]! - 1;
    if ((flags & SIM_OPEN) !== 0) e.simOpen = true;
    return e;
  }
}

function fitsEnd(e: End): boolean {
  const t = e.tcb;
  return (
    e.pendingFin === undefined &&
    t.ooo.length === 0 &&
    t.limits === LINUX_LIMITS &&
    e.log.length <= 2 * LOG_STATES
  );
}
