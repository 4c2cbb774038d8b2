/**
 * The reply parser of a sock_diag dump: datagrams in, `Socket` records out. Pure: no I/O, no clock.
 *
 * A dump is a series of datagrams, each holding whole netlink messages; it ends with NLMSG_DONE, or
 * NLMSG_ERROR when the request was refused. A message that does not fit its datagram ends that
 * datagram (nothing after it can be trusted); a message whose body or attributes are malformed is
 * counted and skipped. Neither ever throws.
 * @see include/uapi/linux/netlink.h, include/uapi/linux/inet_diag.h
 * @see net/ipv4/inet_diag.c inet_sk_diag_fill(), inet_twsk_diag_fill(), inet_req_diag_fill()
 */
import { ByteReader, OutOfBounds } from '../../net/byte-reader.js';
import { formatIpv6 } from '../../net/ip.js';
import type { Socket, TimerKind } from '../../tcp/socket.js';
import { TCP_STATES } from '../../tcp/states.js';
import { decodeSkMeminfo, decodeTcpInfo } from './tcp-info.js';
import {
  AF_INET,
  AF_INET6,
  ALIGN,
  DIAG_MSG,
  INET_DIAG,
  NLA,
  NLA_TYPE_MASK,
  NLM_F_DUMP_INTR,
  NLMSG,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SOCK_DIAG_BY_FAMILY,
  SOCKID,
  TCP_NEW_SYN_RECV,
  TCPDIAG_GETSOCK,
} from './wire.js';

/** idiag_timer to timer kind: the same codes as procfs's `tr` column. */
export const TIMER_KINDS: readonly TimerKind[] = ['off', 'retransmit', 'keepalive', 'timewait', 'probe'];

export interface DiagParseOptions {
  /** Byte order of the machine that wrote the dump (netlink headers are in host order). */
  littleEndian: boolean;
  /** Keep struct tcp_info and the congestion control (`info`) when the dump carries them. */
  info?: boolean;
  /** Keep INET_DIAG_SKMEMINFO (`memory`). */
  memory?: boolean;
  /** Keep each socket's raw `inet_diag_sockid` (a copy), for SOCK_DESTROY. */
  ids?: boolean;
}

/** Where a dump stands after the datagrams fed so far. */
export interface DumpStatus {
  /** NLMSG_DONE or NLMSG_ERROR seen: the dump is over. */
  done: boolean;
  /** errno (positive) of an NLMSG_ERROR, or of a negative NLMSG_DONE. */
  error?: number;
  /** Messages (or datagram tails) that could not be parsed, skipped. */
  malformed: number;
  /** The first of them, for the warning. */
  firstError?: string;
  /** The kernel flagged the dump as interrupted by a change of the table (NLM_F_DUMP_INTR). */
  interrupted: boolean;
  /** Some socket message was seen (so the request was accepted). */
  fed?: true;
}

/**
 * Receives a sock_diag message's payload as `[off, off + len)` of the datagram's window: every byte
 * of it is within bounds (walkDatagram checked nlmsg_len against the datagram).
 */
export type OnDiag = (dgram: ByteReader, off: number, len: number) => void;

/**
 * Walks the messages of one datagram and hands each sock_diag message's payload to `onDiag`.
 * Updates `status` with the end of the dump, errors and malformed messages.
 */
export function walkDatagram(dgram: ByteReader, le: boolean, status: DumpStatus, onDiag: OnDiag): void {
  let off = 0;
  while (off < dgram.length && !status.done) {
    const left = dgram.length - off;
    const len = left >= NLMSG.SIZE ? dgram.u32At(off + NLMSG.len, le) : 0;
    if (len < NLMSG.SIZE || len > left) {
      malformed(status, `bad nlmsg_len ${len} at offset ${off} of a ${dgram.length}-byte datagram`);
      return;
    }
    const type = dgram.u16At(off + NLMSG.type, le);
    if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
      if ((dgram.u16At(off + NLMSG.flags, le) & NLM_F_DUMP_INTR) !== 0) status.interrupted = true;
      status.fed = true;
      onDiag(dgram, off + NLMSG.SIZE, len - NLMSG.SIZE);
      off += (len + ALIGN - 1) & ~(ALIGN - 1);
      continue;
    }
    const payload = dgram.window(off + NLMSG.SIZE, len - NLMSG.SIZE);
    if (type === NLMSG_DONE) {
      status.done = true;
      // The payload is an int: negative when the dump failed part way.
      const err = payload.length >= 4 ? payload.i32At(0, le) : 0;
      if (err < 0) status.error = -err;
    } else if (type === NLMSG_ERROR) {
      status.done = true;
      const err = payload.length >= 4 ? payload.i32At(0, le) : -1;
      if (err !== 0) status.error = err < 0 ? -err : err;
    } else if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      malformed(status, `unexpected message type ${type} at offset ${off}`);
    }
    off += (len + ALIGN - 1) & ~(ALIGN - 1);
  }
}

function malformed(status: DumpStatus, why: string): void {
  status.malformed++;
  status.firstError ??= why;
}

/** A fresh status for a dump. */
export function newStatus(): DumpStatus {
  return { done: false, malformed: 0, interrupted: false };
}

/** The timer of a socket without one: shared and frozen (most sockets have none). */
const TIMER_OFF = Object.freeze({ kind: 'off', expiresMs: 0, retransmits: 0 } as const);

/**
 * One sock_diag message decoded in place: the numbers of `inet_diag_msg` and where its addresses and
 * attributes are. One instance is reused for every message (no allocation on the hot path). `read`
 * throws `BadMessage` or `OutOfBounds` for a message to count and skip, after checking the fixed
 * part's length once and walking the attributes (a truncated one makes the message bad).
 */
export class DiagRecord {
  family: 4 | 6 = 4;
  /** Kernel state code, 1 to 11 (a request socket's NEW_SYN_RECV read as SYN_RECV). */
  code = 0;
  /** idiag_timer, 0 to 4. */
  timer = 0;
  retrans = 0;
  sport = 0;
  dport = 0;
  /** Absolute offsets of the source and destination addresses (4 or 16 bytes, network order). */
  src = 0;
  dst = 0;
  /** Absolute offset of the inet_diag_sockid (48 bytes). */
  id = 0;
  expires = 0;
  rqueue = 0;
  wqueue = 0;
  uid = 0;
  inode = 0;
  /** The attributes: `[attrOff, attrOff + attrLen)` relative to the reader's window. */
  attrOff = 0;
  attrLen = 0;

  read(r: ByteReader, off: number, len: number, le: boolean): void {
    if (len < DIAG_MSG.SIZE) throw new BadMessage(`${len} bytes, need ${DIAG_MSG.SIZE}`);
    const a = r.need(off, DIAG_MSG.SIZE);
    const b = r.bytes;
    const v = r.view;
    const fam = b[a + DIAG_MSG.family]!;
    if (fam !== AF_INET && fam !== AF_INET6) throw new BadMessage(`unknown family ${fam}`);
    let code = b[a + DIAG_MSG.state]!;
    // A request socket is reported as SYN_RECV; NEW_SYN_RECV is only the kernel's filter bit.
    if (code === TCP_NEW_SYN_RECV) code = 3;
    if (code < 1 || code > 11) throw new BadMessage(`unknown state code ${code}`);
    const timer = b[a + DIAG_MSG.timer]!;
    if (timer >= TIMER_KINDS.length) throw new BadMessage(`unknown timer ${timer}`);
    const id = a + DIAG_MSG.id;
    this.family = fam === AF_INET ? 4 : 6;
    this.code = code;
    this.timer = timer;
    this.retrans = b[a + DIAG_MSG.retrans]!;
    this.id = id;
    this.sport = (b[id + SOCKID.sport]! << 8) | b[id + SOCKID.sport + 1]!;
    this.dport = (b[id + SOCKID.dport]! << 8) | b[id + SOCKID.dport + 1]!;
    this.src = id + SOCKID.src;
    this.dst = id + SOCKID.dst;
    this.expires = v.getUint32(a + DIAG_MSG.expires, le);
    this.rqueue = v.getUint32(a + DIAG_MSG.rqueue, le);
    this.wqueue = v.getUint32(a + DIAG_MSG.wqueue, le);
    this.uid = v.getUint32(a + DIAG_MSG.uid, le);
    this.inode = v.getUint32(a + DIAG_MSG.inode, le);
    this.attrOff = off + DIAG_MSG.SIZE;
    this.attrLen = len - DIAG_MSG.SIZE;
    checkAttributes(v, r.start + this.attrOff, r.start + off + len, le);
  }
}

/**
 * Checks that the nlattr list in `[at, end)` (absolute offsets, within the message, so within the
 * reader's bounds) has no attribute running past the end. The hot path's cheap form of
 * forEachAttribute.
 */
function checkAttributes(v: DataView, at: number, end: number, le: boolean): void {
  while (at + NLA.SIZE <= end) {
    const alen = v.getUint16(at + NLA.len, le);
    if (alen < NLA.SIZE || at + alen > end) {
      throw new BadMessage(`attribute of length ${alen} overruns the message by ${at + alen - end} bytes`);
    }
    at += (alen + ALIGN - 1) & ~(ALIGN - 1);
  }
}

/**
 * Walks the nlattr list `[off, off + len)` of `r`, handing each attribute (type, body) to `fn`.
 * Throws BadMessage when one runs past the end.
 */
export function forEachAttribute(
  r: ByteReader,
  off: number,
  len: number,
  le: boolean,
  fn: ((type: number, body: ByteReader) => void) | undefined,
): void {
  const end = off + len;
  while (off + NLA.SIZE <= end) {
    const alen = r.u16At(off + NLA.len, le);
    if (alen < NLA.SIZE || off + alen > end) {
      throw new BadMessage(`attribute of length ${alen} overruns the message by ${off + alen - end} bytes`);
    }
    if (fn) fn(r.u16At(off + NLA.type, le) & NLA_TYPE_MASK, r.window(off + NLA.SIZE, alen - NLA.SIZE));
    off += (alen + ALIGN - 1) & ~(ALIGN - 1);
  }
}

/** Whether 16 address bytes at `at` are IPv4-mapped (::ffff:a.b.c.d). */
export function isMappedAt(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (b[at + i] !== 0) return false;
  return b[at + 10] === 0xff && b[at + 11] === 0xff;
}

/**
 * Accumulates the sockets of a dump, one datagram at a time.
 *
 * The hot path (100,000 sockets in one CLI run, mostly before the JIT has warmed up) reads the
 * fixed-size inet_diag_msg with direct indexing after one length check, and allocates only what the
 * record keeps.
 */
export class DiagParser {
  readonly sockets: Socket[] = [];
  /** With `ids`: the family and raw inet_diag_sockid of each socket, index for index. */
  readonly ids: { family: 4 | 6; id: Uint8Array }[] = [];
  readonly status: DumpStatus;
  private readonly rec = new DiagRecord();
  private readonly addresses = new AddressCache();
  private readonly onDiag: OnDiag = (r, off, len) => this.message(r, off, len);
  private readonly onAttr: (type: number, body: ByteReader) => void;
  private current: Socket | undefined;

  /** `status`: the dump's, when the caller keeps it; a fresh one otherwise. */
  constructor(
    private readonly opts: DiagParseOptions,
    status?: DumpStatus,
  ) {
    this.status = status ?? newStatus();
    this.onAttr = (type, body) => this.attribute(type, body, this.current!);
  }

  /** Parses one datagram (the bytes of one recv). */
  feed(dgram: ByteReader | Uint8Array): void {
    const r = dgram instanceof ByteReader ? dgram : new ByteReader(dgram);
    walkDatagram(r, this.opts.littleEndian, this.status, this.onDiag);
  }

  private message(r: ByteReader, off: number, len: number): void {
    try {
      this.sockets.push(this.socket(r, off, len));
    } catch (e) {
      if (!(e instanceof OutOfBounds || e instanceof BadMessage)) throw e;
      malformed(this.status, `sock_diag message: ${e.message}`);
    }
  }

  private socket(r: ByteReader, off: number, len: number): Socket {
    const m = this.rec;
    const le = this.opts.littleEndian;
    m.read(r, off, len, le);
    const local = this.addresses.text(r, m.src, m.family);
    const remote = this.addresses.text(r, m.dst, m.family);
    const kind = TIMER_KINDS[m.timer]!;
    const s: Socket = {
      state: TCP_STATES[m.code - 1]!,
      family: m.family,
      local: { address: local, port: m.sport },
      remote: { address: remote, port: m.dport },
      recvQ: m.rqueue,
      sendQ: m.wqueue,
      inode: m.inode,
      uid: m.uid,
      timer: kind === 'off' ? TIMER_OFF : { kind, expiresMs: m.expires, retransmits: m.retrans },
    };
    // A mapped socket speaks IPv4 through an IPv6 socket; a wildcard local end (`::`) is not mapped.
    if (m.family === 6 && (isMappedAt(r.bytes, m.src) || isMappedAt(r.bytes, m.dst))) s.mapped = true;
    if (this.opts.info || this.opts.memory) {
      this.current = s;
      forEachAttribute(r, m.attrOff, m.attrLen, le, this.onAttr);
    }
    if (this.opts.ids) this.ids.push({ family: m.family, id: r.bytes.slice(m.id, m.id + SOCKID.SIZE) });
    return s;
  }

  private attribute(type: number, body: ByteReader, s: Socket): void {
    const le = this.opts.littleEndian;
    if (type === INET_DIAG.INFO && this.opts.info) {
      s.info = Object.assign(decodeTcpInfo(body, le), s.info);
    } else if (type === INET_DIAG.CONG && this.opts.info) {
      s.info ??= {};
      s.info.cong = body.cstringAt(0, body.length);
    } else if (type === INET_DIAG.SKMEMINFO && this.opts.memory) {
      s.memory = decodeSkMeminfo(body, le);
    } else if (type === INET_DIAG.SHUTDOWN && this.opts.info && body.length >= 1) {
      const bits = body.u8At(0) & (RCV_SHUTDOWN | SEND_SHUTDOWN);
      if (bits !== 0) s.shutdown = bits === RCV_SHUTDOWN ? 'read' : bits === SEND_SHUTDOWN ? 'write' : 'both';
    }
  }
}

/** Address text, one string per distinct address: IPv4 keyed by its 32-bit value, IPv6 by its words. */
export class AddressCache {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();

  /** The address at absolute offset `at` of `r`'s bytes (4 bytes for family 4, else 16). */
  text(r: ByteReader, at: number, family: 4 | 6): string {
    const v = r.view;
    if (family === 4) {
      const w = v.getUint32(at, false);
      let s = this.v4.get(w);
      if (s === undefined) {
        s = `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
        this.v4.set(w, s);
      }
      return s;
    }
    const key = `${v.getUint32(at, false)}:${v.getUint32(at + 4, false)}:${v.getUint32(at + 8, false)}:${v.getUint32(at + 12, false)}`;
    let s = this.v6.get(key);
    if (s === undefined) {
      s = formatIpv6(r.bytes.subarray(at, at + 16));
      this.v6.set(key, s);
    }
    return s;
  }
}

/** A message whose fields make no sense (the bounds were fine). */
export class BadMessage extends Error {}

/**
 * Counts a dump's sockets per state code (index 1 to 11) without building records: the fast path
 * of `count`. Request sockets count as SYN_RECV.
 */
export function countDatagram(dgram: ByteReader, le: boolean, status: DumpStatus, counts: number[]): void {
  walkDatagram(dgram, le, status, (r, off, len) => {
    if (len < DIAG_MSG.SIZE) {
      malformed(status, `sock_diag message of ${len} bytes`);
      return;
    }
    let code = r.u8At(off + DIAG_MSG.state);
    if (code === TCP_NEW_SYN_RECV) code = 3;
    if (code >= 1 && code <= 11) counts[code]!++;
    else malformed(status, `unknown state code ${code}`);
  });
}
