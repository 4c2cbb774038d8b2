/**
 * Address strings without a string per packet: a direct-mapped cache from the address bytes to
 * their text form, bounded (a collision replaces the slot). Pure.
 */
import { formatIpv6 } from './ip.js';

const SLOTS = 4096;
const MASK = SLOTS - 1;

/** Text of IPv4 and IPv6 addresses read from packet bytes, cached. */
export class AddressCache {
  private readonly v4Keys = new Float64Array(SLOTS).fill(-1);
  private readonly v4Text: string[] = new Array<string>(SLOTS).fill('');
  private readonly v6Keys = new Uint32Array(SLOTS * 4);
  private readonly v6Used = new Uint8Array(SLOTS);
  private readonly v6Text: string[] = new Array<string>(SLOTS).fill('');

  /** The dotted quad of the 4 bytes at `at`, which the caller has bounds-checked. */
  v4(view: DataView, at: number): string {
    const key = view.getUint32(at, false);
    // Multiplicative hash (Knuth): neighbouring addresses land in different slots.
    const slot = (Math.imul(key, 0x9e3779b1) >>> 20) & MASK;
    if (this.v4Keys[slot] === key) return this.v4Text[slot]!;
    const text = `${key >>> 24}.${(key >>> 16) & 0xff}.${(key >>> 8) & 0xff}.${key & 0xff}`;
    this.v4Keys[slot] = key;
    this.v4Text[slot] = text;
    return text;
  }

  /** RFC 5952 text of the 16 bytes at `at` (bounds-checked by the caller). */
  v6(bytes: Uint8Array, view: DataView, at: number): string {
    const a = view.getUint32(at, false);
    const b = view.getUint32(at + 4, false);
    const c = view.getUint32(at + 8, false);
    const d = view.getUint32(at + 12, false);
    const slot = (Math.imul(a ^ Math.imul(b, 31) ^ Math.imul(c, 961) ^ d, 0x9e3779b1) >>> 20) & MASK;
    const k = slot * 4;
    const keys = this.v6Keys;
    if (
      this.v6Used[slot] === 1 &&
      keys[k] === a &&
      keys[k + 1] === b &&
      keys[k + 2] === c &&
      keys[k + 3] === d
    )
      return this.v6Text[slot]!;
    const text = formatIpv6(bytes.subarray(at, at + 16));
    keys[k] = a;
    keys[k + 1] = b;
    keys[k + 2] = c;
    keys[k + 3] = d;
    this.v6Used[slot] = 1;
    this.v6Text[slot] = text;
    return text;
  }
}
