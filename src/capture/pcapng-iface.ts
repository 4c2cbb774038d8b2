/**
 * A pcapng interface: what its Interface Description Block says about its packets (link type,
 * snaplen) and their timestamps (if_tsresol, if_tsoffset). Pure.
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html#section-4.2
 */
import type { ByteReader } from '../net/byte-reader.js';
import { IDB, OPTION } from './wire-file.js';

/** One interface of the current section: how to read its packets' timestamps. */
export interface Iface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per microsecond as a divisor (units finer than µs), else 0. */
  divisor: number;
  /** 2^32 split by the divisor, for exact 64-bit division with doubles. */
  hiQuot: number;
  hiRem: number;
  /** Microseconds per unit, for units of a microsecond or coarser (or powers of two). */
  scale: number;
  offsetUs: number;
}

/** An IDB's link type, snaplen and the options that change timestamps (if_tsresol, if_tsoffset). */
export function readIface(b: ByteReader, le: boolean): Iface {
  let resol = 6;
  let offsetS = 0;
  // Options run to the trailing length; a damaged option list ends the walk, not the block.
  for (let at = IDB.OPTIONS; at + OPTION.HEADER <= b.length - 4; ) {
    const code = b.u16At(at, le);
    const n = b.u16At(at + 2, le);
    if (code === OPTION.END || at + OPTION.HEADER + n > b.length - 4) break;
    if (code === IDB.OPT_TSRESOL && n >= 1) resol = b.u8At(at + OPTION.HEADER);
    if (code === IDB.OPT_TSOFFSET && n >= 8) offsetS = b.u64At(at + OPTION.HEADER, le);
    at += OPTION.HEADER + ((n + 3) & ~3);
  }
  const unitsPerSec = resol & 0x80 ? 2 ** (resol & 0x7f) : 10 ** resol;
  const divisor = !(resol & 0x80) && resol > 6 && resol <= 15 ? 10 ** (resol - 6) : 0;
  const hiQuot = divisor ? Math.floor(0x1_0000_0000 / divisor) : 0;
  return {
    linktype: b.u16At(IDB.LINKTYPE, le),
    snaplen: b.u32At(IDB.SNAPLEN, le),
    divisor,
    hiQuot,
    hiRem: divisor ? 0x1_0000_0000 - hiQuot * divisor : 0,
    scale: 1e6 / unitsPerSec,
    offsetUs: offsetS * 1e6,
  };
}

/**
 * A 64-bit timestamp in the interface's units to microseconds, rounded down. For units finer than a
 * microsecond: (hi·2^32 + lo) / d = hi·q + (hi·r + lo) / d with 2^32 = q·d + r, exact in doubles.
 */
export function toMicros(iface: Iface, hi: number, lo: number): number {
  // Microseconds, the default and what tcpdump and Wireshark write: exact below 2^53.
  if (iface.scale === 1) return hi * 0x1_0000_0000 + lo + iface.offsetUs;
  if (iface.divisor !== 0)
    return hi * iface.hiQuot + Math.floor((hi * iface.hiRem + lo) / iface.divisor) + iface.offsetUs;
  return Math.floor((hi * 0x1_0000_0000 + lo) * iface.scale) + iface.offsetUs;
}
