/**
 * The classic pcap format: the file header, then records of a 16-byte header and the captured
 * bytes. Pure: `parse` takes whatever bytes have arrived and returns how many it consumed, leaving an
 * incomplete record for the next call. A record header that cannot be right is counted and the
 * reader resynchronises on the next plausible one.
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-05.html
 */
import { ParseError } from '../errors.js';
import { ByteReader } from '../net/byte-reader.js';
import type { Frame, PacketDecoder } from './decode.js';
import { type CaptureStats, countProblem } from './stats.js';
import { MAX_SNAPLEN, PCAP_HEADER, PCAP_MAGIC, PCAP_RECORD } from './wire-file.js';

/** The largest length on the wire believed while resynchronising (offloaded super-packets reach 64 KB+). */
const MAX_ORIGLEN = 1 << 24;
/** While resynchronising, a candidate's time must lie this close to the last good record's. */
const RESYNC_WINDOW_S = 7 * 86_400;

/** A pcap stream after its file header. */
export class PcapFormat {
  readonly littleEndian: boolean;
  readonly nano: boolean;
  readonly linktype: number;
  /** The largest captured length believed for one record. */
  private readonly maxCaplen: number;
  private lastSec = -1;
  /** Set while skipping damaged bytes, so that one damaged stretch counts once. */
  private lost = false;
  private readonly frame: Frame;

  /**
   * Reads the 24-byte file header at the start of `bytes` (the caller made sure it is there).
   * @throws ParseError when the header is unusable
   */
  constructor(
    bytes: Uint8Array,
    private readonly stats: CaptureStats,
    private readonly decoder: PacketDecoder,
  ) {
    const r = new ByteReader(bytes, 0, PCAP_HEADER.SIZE);
    const magic = r.u32beAt(PCAP_HEADER.MAGIC);
    this.littleEndian = magic === PCAP_MAGIC.MICRO_SWAPPED || magic === PCAP_MAGIC.NANO_SWAPPED;
    this.nano = magic === PCAP_MAGIC.NANO || magic === PCAP_MAGIC.NANO_SWAPPED;
    const le = this.littleEndian;
    const major = r.u16At(PCAP_HEADER.VERSION_MAJOR, le);
    if (major !== 2)
      throw new ParseError(`unsupported pcap version ${major}.${r.u16At(PCAP_HEADER.VERSION_MINOR, le)}`);
    const snaplen = r.u32At(PCAP_HEADER.SNAPLEN, le);
    this.linktype = r.u32At(PCAP_HEADER.LINKTYPE, le) & 0xffff;
    this.maxCaplen = Math.max(snaplen, MAX_SNAPLEN);
    stats.format = 'pcap';
    stats.linkTypes = [this.linktype];
    this.frame = {
      bytes,
      view: r.view,
      start: 0,
      caplen: 0,
      origlen: 0,
      linktype: this.linktype,
      timeUs: 0,
      iface: 0,
      offset: 0,
    };
  }

  /**
   * Decodes every complete record in `bytes` (which starts at input offset `base`) and returns the
   * number of bytes consumed; `final` says no more bytes will come.
   */
  parse(bytes: Uint8Array, base: number, final: boolean): number {
    const r = new ByteReader(bytes);
    const le = this.littleEndian;
    const len = bytes.length;
    const f = this.frame;
    const view = r.view;
    f.bytes = bytes;
    f.view = view;
    let pos = 0;
    while (pos + PCAP_RECORD.SIZE <= len) {
      if (this.lost) {
        const at = this.resync(r, pos, final);
        if (!at.found) return at.pos;
        pos = at.pos;
        this.lost = false;
        continue;
      }
      // Hot path: the record header is checked once (the loop condition), then read from the view.
      const caplen = view.getUint32(pos + PCAP_RECORD.CAPLEN, le);
      if (caplen > this.maxCaplen) {
        countProblem(this.stats, 'corrupt', base + pos, `record header claims ${caplen} captured bytes`);
        this.lost = true;
        pos++;
        continue;
      }
      const size = PCAP_RECORD.SIZE + caplen;
      if (pos + size > len) break;
      const sec = view.getUint32(pos + PCAP_RECORD.TS_SEC, le);
      const frac = view.getUint32(pos + PCAP_RECORD.TS_FRAC, le);
      this.lastSec = sec;
      this.stats.records++;
      f.start = pos + PCAP_RECORD.SIZE;
      f.caplen = caplen;
      f.origlen = view.getUint32(pos + PCAP_RECORD.ORIGLEN, le);
      f.timeUs = sec * 1_000_000 + (this.nano ? Math.floor(frac / 1000) : frac);
      f.offset = base + pos;
      this.decoder.frame(f);
      pos += size;
    }
    if (final && pos < len) {
      if (!this.lost)
        countProblem(this.stats, 'corrupt', base + pos, `last record cut short (${len - pos} bytes)`);
      pos = len;
    }
    return pos;
  }

  /**
   * Looks for the next believable record header at or after `from`, one whose successor is
   * believable too (or lies past the end of a finished input). `found`: parsing resumes at `pos`;
   * otherwise more bytes are needed and everything before `pos` is garbage to drop.
   */
  private resync(r: ByteReader, from: number, final: boolean): { found: boolean; pos: number } {
    const len = r.length;
    for (let q = from; q + PCAP_RECORD.SIZE <= len; q++) {
      const caplen = this.plausible(r, q);
      if (caplen < 0) continue;
      const next = q + PCAP_RECORD.SIZE + caplen;
      if (next + PCAP_RECORD.SIZE > len) {
        if (final) return { found: true, pos: q };
        return { found: false, pos: q };
      }
      if (this.plausible(r, next) >= 0) return { found: true, pos: q };
    }
    return { found: false, pos: final ? len : Math.max(from, len - PCAP_RECORD.SIZE + 1) };
  }

  /** The captured length of a believable record header at `q`, or -1. */
  private plausible(r: ByteReader, q: number): number {
    const le = this.littleEndian;
    const caplen = r.u32At(q + PCAP_RECORD.CAPLEN, le);
    const origlen = r.u32At(q + PCAP_RECORD.ORIGLEN, le);
    if (caplen > this.maxCaplen || origlen < caplen || origlen > MAX_ORIGLEN) return -1;
    if (r.u32At(q + PCAP_RECORD.TS_FRAC, le) >= (this.nano ? 1e9 : 1e6)) return -1;
    const sec = r.u32At(q + PCAP_RECORD.TS_SEC, le);
    if (this.lastSec >= 0 && Math.abs(sec - this.lastSec) > RESYNC_WINDOW_S) return -1;
    return caplen;
  }
}
