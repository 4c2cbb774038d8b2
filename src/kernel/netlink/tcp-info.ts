/**
 * Decoding INET_DIAG_INFO (`struct tcp_info`) and INET_DIAG_SKMEMINFO. Pure.
 *
 * The struct only grows: a field is read when the attribute is long enough to hold it, so an older
 * kernel's shorter struct simply has fewer fields (the same rule `ss` follows).
 * @see include/uapi/linux/tcp.h struct tcp_info (Linux 6.18: 280 bytes)
 * @see net/ipv4/tcp.c tcp_get_info()
 */
import type { ByteReader } from '../../net/byte-reader.js';
import {
  SOCKET_MEMORY_FIELDS,
  type SocketMemory,
  TCP_INFO_FIELDS,
  type TcpInfo,
  type TcpInfoField,
} from '../../tcp/tcp-info.js';

/** How a field is stored: a plain unsigned of 1, 2, 4 or 8 bytes, or bits of byte 6 or 7. */
type Kind = 1 | 2 | 4 | 8 | 'lo4' | 'hi4' | 'bit0' | 'bits1_2';

/** [offset, kind] of each field in TCP_INFO_FIELDS order. */
const LAYOUT: readonly (readonly [number, Kind])[] = [
  [1, 1], // ca_state
  [2, 1], // retransmits
  [3, 1], // probes
  [4, 1], // backoff
  [5, 1], // options
  [6, 'lo4'], // snd_wscale : 4
  [6, 'hi4'], // rcv_wscale : 4
  [7, 'bit0'], // delivery_rate_app_limited : 1
  [7, 'bits1_2'], // fastopen_client_fail : 2
  ...u32s(8, 24), // rto ... total_retrans (offsets 8 to 100)
  [104, 8], // pacing_rate
  [112, 8], // max_pacing_rate
  [120, 8], // bytes_acked
  [128, 8], // bytes_received
  ...u32s(136, 6), // segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out
  [160, 8], // delivery_rate
  [168, 8], // busy_time
  [176, 8], // rwnd_limited
  [184, 8], // sndbuf_limited
  [192, 4], // delivered
  [196, 4], // delivered_ce
  [200, 8], // bytes_sent
  [208, 8], // bytes_retrans
  ...u32s(216, 6), // dsack_dups, reord_seen, rcv_ooopack, snd_wnd, rcv_wnd, rehash
  [240, 2], // total_rto
  [242, 2], // total_rto_recoveries
  ...u32s(244, 8), // total_rto_time, received_ce, the six AccECN byte counters
  [276, 2], // accecn_fail_mode
  [278, 2], // accecn_opt_seen
];

function u32s(from: number, n: number): [number, Kind][] {
  return Array.from({ length: n }, (_, i) => [from + 4 * i, 4] as [number, Kind]);
}

if (LAYOUT.length !== TCP_INFO_FIELDS.length) throw new Error('tcp_info layout and field list differ');

const SIZE: Record<string, number> = { 1: 1, 2: 2, 4: 4, 8: 8 };
const U64_MAX_AS_NUMBER = 2 ** 64 - 1;

/**
 * The fields of a tcp_info held in `r` (the attribute's payload). `littleEndian` is the byte order of
 * the machine that wrote it; its bitfields are laid out from the low bit on little-endian machines.
 */
export function decodeTcpInfo(r: ByteReader, littleEndian: boolean): TcpInfo {
  return decodeAt(r.view, r.start, r.length, littleEndian);
}

/** The fields of the `len` bytes of tcp_info at absolute offset `at` of `v`. */
function decodeAt(v: DataView, at: number, len: number, le: boolean): TcpInfo {
  const info: TcpInfo = {};
  for (let i = 0; i < LAYOUT.length; i++) {
    const value = fieldAt(v, at, len, i, le);
    if (value === OUT_OF_RANGE) break;
    if (value !== undefined) info[TCP_INFO_FIELDS[i]! as TcpInfoField] = value;
  }
  return info;
}

const OUT_OF_RANGE = -1;

/**
 * Field `i` of the tcp_info at `[at, at + len)`: OUT_OF_RANGE when the struct is too short for it
 * (an older kernel), undefined for a pacing rate of ~0 ("no limit": ss leaves these out too).
 */
function fieldAt(v: DataView, at: number, len: number, i: number, le: boolean): number | undefined {
  const [off, kind] = LAYOUT[i]!;
  const size = SIZE[kind as number] ?? 1;
  if (off + size > len) return OUT_OF_RANGE;
  const value = readField(v, at + off, kind, le);
  if ((i === PACING_RATE || i === MAX_PACING_RATE) && value >= U64_MAX_AS_NUMBER) return undefined;
  return value;
}

const PACING_RATE = TCP_INFO_FIELDS.indexOf('pacing_rate');
const MAX_PACING_RATE = TCP_INFO_FIELDS.indexOf('max_pacing_rate');

function readField(v: DataView, a: number, kind: Kind, le: boolean): number {
  switch (kind) {
    case 1:
      return v.getUint8(a);
    case 2:
      return v.getUint16(a, le);
    case 4:
      return v.getUint32(a, le);
    case 8:
      return v.getUint32(le ? a + 4 : a, le) * 0x1_0000_0000 + v.getUint32(le ? a : a + 4, le);
    case 'lo4':
      return le ? v.getUint8(a) & 0xf : v.getUint8(a) >> 4;
    case 'hi4':
      return le ? v.getUint8(a) >> 4 : v.getUint8(a) & 0xf;
    case 'bit0':
      return le ? v.getUint8(a) & 1 : v.getUint8(a) >> 7;
    case 'bits1_2':
      return le ? (v.getUint8(a) >> 1) & 3 : (v.getUint8(a) >> 5) & 3;
  }
}

/**
 * A tcp_info kept as its bytes and decoded field by field when read: a table of 100,000 sockets with
 * tcp_info (the overview, the doctor) holds about a hundred bytes each in shared slabs instead of an
 * object of seventy numbers. Reads like the decoded object (`info.rtt`, `info.cong`), and
 * JSON.stringify writes the decoded object, keys in the same order.
 *
 * The bytes are stored without their zero words (most of a tcp_info is zero: no loss, no
 * retransmission, no ECN): a bitmap of the struct's 32-bit words that are not zero, then those
 * words. Reading a field expands the struct once into a scratch buffer, kept while the same
 * tcp_info is read again (the doctor reads a few fields of one socket in a row).
 */
class LazyTcpInfo {
  cong?: string;
  constructor(
    private readonly v: DataView,
    private readonly at: number,
    private readonly len: number,
    private readonly le: boolean,
  ) {}

  /** The struct's bytes in `scratch`, from offset 0. */
  expand(): DataView {
    if (expanded === this) return scratch;
    const words = (this.len + 3) >>> 2;
    if (scratch.byteLength < words * 4) scratch = new DataView(new ArrayBuffer(words * 4 * 2));
    const v = this.v;
    let from = this.at + bitmapBytes(words);
    for (let w = 0; w < words; w++) {
      const set = (v.getUint32(this.at + ((w >>> 5) << 2), true) >>> (w & 31)) & 1;
      if (set) {
        scratch.setUint32(w * 4, v.getUint32(from, true), true);
        from += 4;
      } else {
        scratch.setUint32(w * 4, 0, true);
      }
    }
    expanded = this;
    return scratch;
  }

  field(i: number): number | undefined {
    const value = fieldAt(this.expand(), 0, this.len, i, this.le);
    return value === OUT_OF_RANGE ? undefined : value;
  }

  toJSON(): TcpInfo {
    const info = decodeAt(this.expand(), 0, this.len, this.le);
    if (this.cong !== undefined) info.cong = this.cong;
    return info;
  }
}

let scratch = new DataView(new ArrayBuffer(512));
let expanded: LazyTcpInfo | undefined;

/** Bytes of the bitmap of `words` words (one bit each, in 32-bit words). */
const bitmapBytes = (words: number): number => ((words + 31) >>> 5) << 2;

for (let i = 0; i < TCP_INFO_FIELDS.length; i++) {
  Object.defineProperty(LazyTcpInfo.prototype, TCP_INFO_FIELDS[i]!, {
    get(this: LazyTcpInfo): number | undefined {
      return this.field(i);
    },
  });
}

const SLAB_BYTES = 256 * 1024;

/** Keeps the tcp_info of many sockets: their non-zero words in shared slabs, decoded when read. */
export class TcpInfoStore {
  private view = new DataView(new ArrayBuffer(0));
  private used = 0;

  constructor(private readonly littleEndian: boolean) {}

  /** A copy of the `len` bytes at absolute offset `start` of `from` (the attribute's payload), read as TcpInfo. */
  keep(from: DataView, start: number, len: number): TcpInfo {
    const words = (len + 3) >>> 2;
    const most = bitmapBytes(words) + words * 4;
    if (this.used + most > this.view.byteLength) {
      this.view = new DataView(new ArrayBuffer(Math.max(SLAB_BYTES, most)));
      this.used = 0;
    }
    const to = this.view;
    const at = this.used;
    let out = at + bitmapBytes(words);
    let bits = 0;
    for (let w = 0; w < words; w++) {
      const off = w * 4;
      // The last word may be cut short: its missing bytes read as zero.
      const word =
        off + 4 <= len ? from.getUint32(start + off, true) : lastWord(from, start + off, len - off);
      if (word !== 0) {
        to.setUint32(out, word, true);
        out += 4;
        bits |= 1 << (w & 31);
      }
      if ((w & 31) === 31 || w === words - 1) {
        to.setUint32(at + ((w >>> 5) << 2), bits, true);
        bits = 0;
      }
    }
    this.used = out;
    return new LazyTcpInfo(to, at, len, this.littleEndian) as TcpInfo;
  }
}

/** The `n` (1 to 3) bytes at `at` as the low bytes of a little-endian word. */
function lastWord(v: DataView, at: number, n: number): number {
  let word = 0;
  for (let i = 0; i < n; i++) word |= v.getUint8(at + i) << (8 * i);
  return word >>> 0;
}

/** The SK_MEMINFO_* u32 array of INET_DIAG_SKMEMINFO; a shorter array gives fewer keys. */
export function decodeSkMeminfo(r: ByteReader, littleEndian: boolean): SocketMemory {
  const mem: SocketMemory = {};
  const n = Math.min(SOCKET_MEMORY_FIELDS.length, Math.floor(r.length / 4));
  for (let i = 0; i < n; i++) mem[SOCKET_MEMORY_FIELDS[i]!] = r.u32At(4 * i, littleEndian);
  return mem;
}
