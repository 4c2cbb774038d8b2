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
import type { Socket } from '../../tcp/socket.js';
import { TCP_STATES } from '../../tcp/states.js';
import { BadMessage, DiagRecord, forEachAttributeAt, isMappedAt, TIMER_KINDS } from './record.js';
import { decodeSkMeminfo, TcpInfoStore } from './tcp-info.js';
import { type DumpStatus, malformed, newStatus, type OnDiag, walkDatagram } from './walk.js';
import { DIAG_MSG, INET_DIAG, RCV_SHUTDOWN, SEND_SHUTDOWN, SOCKID, TCP_NEW_SYN_RECV } from './wire.js';

export { BadMessage, DiagRecord, isMappedAt, TIMER_KINDS } from './record.js';
export { type DumpStatus, newStatus, type OnDiag, walkDatagram } from './walk.js';

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
  /** With `ids`: the family and raw inet_diag_sockid of each socket, index for index. */
  readonly ids: { family: 4 | 6; id: Uint8Array }[] = [];
  readonly status: DumpStatus;
  private readonly rec = new DiagRecord();
  private readonly addresses = new AddressCache();
  private readonly infos: TcpInfoStore;
  private readonly onDiag: OnDiag = (r, off, len) => this.message(r, off, len);
  private readonly onAttr: (type: number, r: ByteReader, at: number, len: number) => void;
  private current: Socket | undefined;
  /** The last congestion control name and its bytes: every socket names the same one or two. */
  private cong = '';
  private congBytes = new Uint8Array(0);

  /** `status`: the dump's, when the caller keeps it; a fresh one otherwise. */
  constructor(
    private readonly opts: DiagParseOptions,
    status?: DumpStatus,
  ) {
    this.status = status ?? newStatus();
    this.infos = new TcpInfoStore(opts.littleEndian);
    this.onAttr = (type, r, at, len) => this.attribute(type, r, at, len, this.current!);
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
    // A wildcard IPv6 socket's v6only decides how ss writes `::` (`*` or `[::]`): few sockets, cheap.
    if (this.opts.info || this.opts.memory || (m.family === 6 && local === '::')) {
      this.current = s;
      forEachAttributeAt(r, m.attrOff, m.attrLen, le, this.onAttr);
    }
    if (this.opts.ids) this.ids.push({ family: m.family, id: r.bytes.slice(m.id, m.id + SOCKID.SIZE) });
    return s;
  }

  /** One attribute of `s`: its body is `[at, at + len)` of `r`, within bounds (checked by the walk). */
  private attribute(type: number, r: ByteReader, at: number, len: number, s: Socket): void {
    const le = this.opts.littleEndian;
    if (type === INET_DIAG.INFO && this.opts.info) {
      const info = this.infos.keep(r.view, r.start + at, len);
      if (s.info?.cong !== undefined) info.cong = s.info.cong;
      s.info = info;
    } else if (type === INET_DIAG.CONG && this.opts.info) {
      s.info ??= {};
      s.info.cong = this.congestion(r, at, len);
    } else if (type === INET_DIAG.SKMEMINFO && this.opts.memory) {
      s.memory = decodeSkMeminfo(r.window(at, len), le);
    } else if (type === INET_DIAG.SKV6ONLY && len >= 1) {
      if (r.u8At(at) !== 0) s.v6only = true;
    } else if (type === INET_DIAG.SHUTDOWN && this.opts.info && len >= 1) {
      const bits = r.u8At(at) & (RCV_SHUTDOWN | SEND_SHUTDOWN);
      if (bits !== 0) s.shutdown = bits === RCV_SHUTDOWN ? 'read' : bits === SEND_SHUTDOWN ? 'write' : 'both';
    }
  }

  /** The congestion control name at `[at, at + len)`: the string of the last socket when the bytes are the same. */
  private congestion(r: ByteReader, at: number, len: number): string {
    const b = r.bytesAt(at, len);
    const last = this.congBytes;
    let same = last.length === b.length;
    for (let i = 0; same && i < b.length; i++) same = last[i] === b[i];
    if (!same) {
      this.cong = r.cstringAt(at, len);
      this.congBytes = b.slice();
    }
    return this.cong;
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
/**
 * Counts a dump's sockets per state code (index 1 to 11) without building records: the fast path
 * of `count`. Request sockets count as SYN_RECV.
 */
export function countDatagram(dgram: ByteReader, le: boolean, status: DumpStatus, counts: number[]): void {
  walkDatagram(dgram, le, status, (r, off, len) => {
    const code = stateCodeOf(r, off, len, status);
    if (code !== 0) counts[code]!++;
  });
}

/**
 * The state code (1 to 11, a request socket's as SYN_RECV) of the inet_diag_msg at `off`, or 0 for a
 * message too short or of an unknown state, counted as malformed.
 */
export function stateCodeOf(r: ByteReader, off: number, len: number, status: DumpStatus): number {
  if (len < DIAG_MSG.SIZE) {
    malformed(status, `sock_diag message of ${len} bytes`);
    return 0;
  }
  const code = r.u8At(off + DIAG_MSG.state);
  if (code === TCP_NEW_SYN_RECV) return 3;
  if (code >= 1 && code <= 11) return code;
  malformed(status, `unknown state code ${code}`);
  return 0;
}
