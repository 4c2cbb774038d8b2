/**
 * One sock_diag message decoded in place, without allocating: the fixed `inet_diag_msg` and a check
 * of its attributes. Pure.
 * @see include/uapi/linux/inet_diag.h, net/ipv4/inet_diag.c inet_sk_diag_fill()
 */
import type { ByteReader } from '../../net/byte-reader.js';
import type { TimerKind } from '../../tcp/socket.js';
import { AF_INET, AF_INET6, ALIGN, DIAG_MSG, NLA, NLA_TYPE_MASK, SOCKID, TCP_NEW_SYN_RECV } from './wire.js';

/** idiag_timer to timer kind: the same codes as procfs's `tr` column. */
export const TIMER_KINDS: readonly TimerKind[] = ['off', 'retransmit', 'keepalive', 'timewait', 'probe'];

export class BadMessage extends Error {}

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
 * Walks the nlattr list `[off, off + len)` of `r`, handing `fn` each attribute's type and where its
 * body is (`[at, at + len)` of `r`), without a reader for each (five attributes a socket are half a
 * million readers at 100,000 sockets). Throws BadMessage when one runs past the end.
 */
export function forEachAttributeAt(
  r: ByteReader,
  off: number,
  len: number,
  le: boolean,
  fn: (type: number, r: ByteReader, at: number, len: number) => void,
): void {
  const end = off + len;
  while (off + NLA.SIZE <= end) {
    const alen = r.u16At(off + NLA.len, le);
    if (alen < NLA.SIZE || off + alen > end) {
      throw new BadMessage(`attribute of length ${alen} overruns the message by ${off + alen - end} bytes`);
    }
    fn(r.u16At(off + NLA.type, le) & NLA_TYPE_MASK, r, off + NLA.SIZE, alen - NLA.SIZE);
    off += (alen + ALIGN - 1) & ~(ALIGN - 1);
  }
}

/** Whether 16 address bytes at `at` are IPv4-mapped (::ffff:a.b.c.d). */
export function isMappedAt(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 10; i++) if (b[at + i] !== 0) return false;
  return b[at + 10] === 0xff && b[at + 11] === 0xff;
}
