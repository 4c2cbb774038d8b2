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
import { stateFromCode } from '../../tcp/states.js';
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
} from './wire.js';

/** idiag_timer to timer kind: the same codes as procfs's `tr` column. */
const TIMER_KINDS: readonly TimerKind[] = ['off', 'retransmit', 'keepalive', 'timewait', 'probe'];

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
    if (type === SOCK_DIAG_BY_FAMILY) {
      if ((dgram.u16At(off + NLMSG.flags, le) & NLM_F_DUMP_INTR) !== 0) status.interrupted = true;
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
 * Accumulates the sockets of a dump, one datagram at a time.
 *
 * The hot path (100,000 sockets in one CLI run, mostly before the JIT has warmed up) reads the
 * fixed-size inet_diag_msg with direct indexing after one length check, and allocates only what the
 * record keeps.
 */
export class DiagParser {
  readonly sockets: Socket[] = [];
  /** With `ids`: the raw inet_diag_sockid of each socket, index for index. */
  readonly ids: Uint8Array[] = [];
  readonly status: DumpStatus = newStatus();
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string>();
  private readonly onDiag: OnDiag = (r, off, len) => this.message(r, off, len);
  private readonly wantAttrs: boolean;

  constructor(private readonly opts: DiagParseOptions) {
    this.wantAttrs = (opts.info ?? false) || (opts.memory ?? false);
  }

  /** Parses one datagram (the bytes of one recv). */
  feed(dgram: ByteReader | Uint8Array): void {
    const r = dgram instanceof ByteReader ? dgram : new ByteReader(dgram);
    walkDatagram(r, this.opts.littleEndian, this.status, this.onDiag);
  }

  private message(r: ByteReader, off: number, len: number): void {
    try {
      const s = this.socket(r, off, len);
      if (s) this.sockets.push(s);
    } catch (e) {
      if (!(e instanceof OutOfBounds || e instanceof BadMessage)) throw e;
      malformed(this.status, `sock_diag message: ${e.message}`);
    }
  }

  private socket(r: ByteReader, off: number, len: number): Socket | undefined {
    if (len < DIAG_MSG.SIZE) throw new BadMessage(`${len} bytes, need ${DIAG_MSG.SIZE}`);
    const a = r.need(off, DIAG_MSG.SIZE);
    const b = r.bytes;
    const v = r.view;
    const le = this.opts.littleEndian;
    const fam = b[a + DIAG_MSG.family]!;
    if (fam !== AF_INET && fam !== AF_INET6) throw new BadMessage(`unknown family ${fam}`);
    let code = b[a + DIAG_MSG.state]!;
    // A request socket is reported as SYN_RECV; NEW_SYN_RECV is only the kernel's filter bit.
    if (code === TCP_NEW_SYN_RECV) code = 3;
    const state = stateFromCode(code);
    if (state === undefined) throw new BadMessage(`unknown state code ${code}`);
    const kind = TIMER_KINDS[b[a + DIAG_MSG.timer]!];
    if (kind === undefined) throw new BadMessage(`unknown timer ${b[a + DIAG_MSG.timer]}`);
    const id = a + DIAG_MSG.id;
    const family = fam === AF_INET ? 4 : 6;
    const local = family === 4 ? this.addr4(v, id + SOCKID.src) : this.addr6(r, id + SOCKID.src);
    const remote = family === 4 ? this.addr4(v, id + SOCKID.dst) : this.addr6(r, id + SOCKID.dst);
    const s: Socket = {
      state,
      family,
      local: { address: local, port: (b[id + SOCKID.sport]! << 8) | b[id + SOCKID.sport + 1]! },
      remote: { address: remote, port: (b[id + SOCKID.dport]! << 8) | b[id + SOCKID.dport + 1]! },
      recvQ: v.getUint32(a + DIAG_MSG.rqueue, le),
      sendQ: v.getUint32(a + DIAG_MSG.wqueue, le),
      inode: v.getUint32(a + DIAG_MSG.inode, le),
      uid: v.getUint32(a + DIAG_MSG.uid, le),
      timer:
        kind === 'off'
          ? TIMER_OFF
          : { kind, expiresMs: v.getUint32(a + DIAG_MSG.expires, le), retransmits: b[a + DIAG_MSG.retrans]! },
    };
    // A mapped socket speaks IPv4 through an IPv6 socket; a wildcard local end (`::`) is not mapped.
    if (family === 6 && (isDotted(local) || isDotted(remote))) s.mapped = true;
    // Attributes are walked even when none is wanted: a truncated one makes the message bad.
    this.attributes(r, off + DIAG_MSG.SIZE, len - DIAG_MSG.SIZE, s);
    if (this.opts.ids) this.ids.push(b.slice(id, id + SOCKID.SIZE));
    return s;
  }

  /** The nlattr list after inet_diag_msg, `[off, off + len)` of `r`. */
  private attributes(r: ByteReader, off: number, len: number, s: Socket): void {
    const le = this.opts.littleEndian;
    const end = off + len;
    while (off + NLA.SIZE <= end) {
      const alen = r.u16At(off + NLA.len, le);
      if (alen < NLA.SIZE || off + alen > end) {
        throw new BadMessage(`attribute of length ${alen} overruns the message by ${off + alen - end} bytes`);
      }
      if (this.wantAttrs) {
        const type = r.u16At(off + NLA.type, le) & NLA_TYPE_MASK;
        this.attribute(type, r.window(off + NLA.SIZE, alen - NLA.SIZE), s);
      }
      off += (alen + ALIGN - 1) & ~(ALIGN - 1);
    }
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

  /** An IPv4 address (network order at absolute offset `at`), one string per distinct address. */
  private addr4(v: DataView, at: number): string {
    const w = v.getUint32(at, false);
    let s = this.v4.get(w);
    if (s === undefined) {
      s = `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
      this.v4.set(w, s);
    }
    return s;
  }

  private addr6(r: ByteReader, at: number): string {
    const v = r.view;
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
class BadMessage extends Error {}

function isDotted(address: string): boolean {
  return address.includes('.');
}

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
