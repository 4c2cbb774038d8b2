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
  const info: TcpInfo = {};
  const len = r.length;
  for (let i = 0; i < LAYOUT.length; i++) {
    const [off, kind] = LAYOUT[i]!;
    const size = SIZE[kind as number] ?? 1;
    if (off + size > len) break;
    const v = readField(r, off, kind, littleEndian);
    const name = TCP_INFO_FIELDS[i]! as TcpInfoField;
    // ~0 means "no limit" (no pacing, SO_MAX_PACING_RATE unset); ss leaves these out too.
    if ((name === 'max_pacing_rate' || name === 'pacing_rate') && v >= U64_MAX_AS_NUMBER) continue;
    info[name] = v;
  }
  return info;
}

function readField(r: ByteReader, off: number, kind: Kind, le: boolean): number {
  switch (kind) {
    case 1:
      return r.u8At(off);
    case 2:
      return r.u16At(off, le);
    case 4:
      return r.u32At(off, le);
    case 8:
      return r.u64At(off, le);
    case 'lo4':
      return le ? r.u8At(off) & 0xf : r.u8At(off) >> 4;
    case 'hi4':
      return le ? r.u8At(off) >> 4 : r.u8At(off) & 0xf;
    case 'bit0':
      return le ? r.u8At(off) & 1 : r.u8At(off) >> 7;
    case 'bits1_2':
      return le ? (r.u8At(off) >> 1) & 3 : (r.u8At(off) >> 5) & 3;
  }
}

/** The SK_MEMINFO_* u32 array of INET_DIAG_SKMEMINFO; a shorter array gives fewer keys. */
export function decodeSkMeminfo(r: ByteReader, littleEndian: boolean): SocketMemory {
  const mem: SocketMemory = {};
  const n = Math.min(SOCKET_MEMORY_FIELDS.length, Math.floor(r.length / 4));
  for (let i = 0; i < n; i++) mem[SOCKET_MEMORY_FIELDS[i]!] = r.u32At(4 * i, littleEndian);
  return mem;
}
