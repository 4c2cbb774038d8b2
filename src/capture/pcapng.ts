/**
 * The pcapng format: blocks of type, length, body and length again, in sections of either byte
 * order; interfaces with their own link type and timestamp resolution; packets in EPB, SPB and the
 * obsolete OPB. Pure, like `pcap.ts`: `parse` consumes complete blocks and leaves the rest. A damaged
 * block is counted and the reader resynchronises on the next block whose two lengths agree; blocks
 * of other types are skipped, huge ones without being held in memory.
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html
 */
import { ParseError } from '../errors.js';
import { ByteReader } from '../net/byte-reader.js';
import type { Frame, PacketDecoder } from './decode.js';
import { type Iface, readIface, toMicros } from './pcapng-iface.js';
import { type CaptureStats, countProblem } from './stats.js';
import { BLOCK, BLOCK_HEADER, EPB, IDB, OPB, SHB, SPB } from './wire-file.js';

/** The largest block held in memory; larger packet blocks are corrupt, larger others are skipped as they stream by. */
export const MAX_BLOCK = 1 << 20;

const KNOWN = new Set<number>(Object.values(BLOCK));

/** A pcapng stream, from its first Section Header Block. */
export class PcapngFormat {
  private littleEndian = true;
  private ifaces: Iface[] = [];
  private lost = false;
  private started = false;
  /** Bytes of an oversized block still to be discarded as they arrive. */
  skipBytes = 0;
  private lastTimeUs = 0;
  private readonly frame: Frame;

  constructor(
    private readonly stats: CaptureStats,
    private readonly decoder: PacketDecoder,
  ) {
    stats.format = 'pcapng';
    this.frame = {
      bytes: new Uint8Array(0),
      view: new DataView(new ArrayBuffer(0)),
      start: 0,
      caplen: 0,
      origlen: 0,
      linktype: 0,
      timeUs: 0,
      iface: 0,
      offset: 0,
    };
  }

  /**
   * Handles every complete block in `bytes` (input offset `base`) and returns the bytes consumed.
   * @throws ParseError when the first block is no usable Section Header Block
   */
  parse(bytes: Uint8Array, base: number, final: boolean): number {
    const r = new ByteReader(bytes);
    const view = r.view;
    const len = bytes.length;
    this.frame.bytes = bytes;
    this.frame.view = view;
    let pos = 0;
    if (this.skipBytes > 0) {
      pos = Math.min(this.skipBytes, len);
      this.skipBytes -= pos;
    }
    while (pos + BLOCK_HEADER.MIN_SIZE <= len) {
      if (this.lost) {
        const at = this.resync(r, pos, final);
        if (!at.found) return at.pos;
        pos = at.pos;
        this.lost = false;
        continue;
      }
      let type = view.getUint32(pos, this.littleEndian);
      // Hot path: an EPB whose lengths agree, checked once, read from the view.
      if (type === BLOCK.EPB) {
        const total = view.getUint32(pos + BLOCK_HEADER.TOTAL_LENGTH, this.littleEndian);
        if (total >= EPB.MIN_SIZE && total <= MAX_BLOCK && (total & 3) === 0) {
          if (pos + total > len) break;
          if (view.getUint32(pos + total - 4, this.littleEndian) === total) {
            this.packet(r, pos, total, base + pos, false);
            pos += total;
            continue;
          }
        }
      }
      if (type === BLOCK.SHB) {
        const order = sectionOrder(r, pos);
        if (order === undefined) {
          if (!this.started) throw new ParseError('pcapng: bad byte-order magic in the section header');
          this.lose(base + pos, 'section header with a bad byte-order magic');
          pos += 4;
          continue;
        }
        this.littleEndian = order;
      } else if (!this.started) throw new ParseError('pcapng: the file does not start with a section header');
      type = r.u32At(pos, this.littleEndian);
      const total = r.u32At(pos + BLOCK_HEADER.TOTAL_LENGTH, this.littleEndian);
      if (total < BLOCK_HEADER.MIN_SIZE || total % 4 !== 0) {
        if (!this.started) throw new ParseError(`pcapng: section header length ${total}`);
        this.lose(base + pos, `block length ${total}`);
        pos += 4;
        continue;
      }
      if (total > MAX_BLOCK) {
        if (isPacketBlock(type) || type === BLOCK.SHB || type === BLOCK.IDB) {
          if (!this.started) throw new ParseError(`pcapng: section header length ${total}`);
          this.lose(base + pos, `block of ${total} bytes`);
          pos += 4;
          continue;
        }
        this.stats.skipped.otherBlocks++;
        const here = Math.min(total, len - pos);
        this.skipBytes = total - here;
        pos += here;
        continue;
      }
      if (pos + total > len) break;
      if (r.u32At(pos + total - 4, this.littleEndian) !== total) {
        if (!this.started) throw new ParseError('pcapng: section header lengths disagree');
        this.lose(base + pos, 'block lengths disagree');
        pos += 4;
        continue;
      }
      this.block(r, pos, total, type, base + pos);
      pos += total;
    }
    if (final && pos < len) {
      if (!this.started) throw new ParseError('pcapng: the section header is cut short');
      if (!this.lost)
        countProblem(this.stats, 'corrupt', base + pos, `last block cut short (${len - pos} bytes)`);
      pos = len;
    }
    return pos;
  }

  /** One whole block, `total` bytes at `pos` of `r` (its lengths already checked). */
  private block(r: ByteReader, pos: number, total: number, type: number, offset: number): void {
    const le = this.littleEndian;
    switch (type) {
      case BLOCK.EPB:
        this.packet(r, pos, total, offset, false);
        return;
      case BLOCK.SHB: {
        const b = r.window(pos, total);
        if (b.length < SHB.MIN_SIZE) {
          this.badFirst(offset, 'section header too short');
          return;
        }
        const major = b.u16At(SHB.VERSION_MAJOR, le);
        if (major !== 1) {
          if (!this.started) throw new ParseError(`pcapng: unsupported version ${major}`);
          this.corrupt(offset, `section version ${major}`);
          return;
        }
        this.started = true;
        this.ifaces = [];
        return;
      }
      case BLOCK.IDB: {
        const b = r.window(pos, total);
        if (b.length < IDB.MIN_SIZE) {
          this.corrupt(offset, 'interface block too short');
          return;
        }
        this.ifaces.push(readIface(b, le));
        this.stats.linkTypes.push(b.u16At(IDB.LINKTYPE, le));
        return;
      }
      case BLOCK.OPB:
        this.packet(r, pos, total, offset, true);
        return;
      case BLOCK.SPB:
        this.simple(r, pos, total, offset);
        return;
      default:
        this.stats.skipped.otherBlocks++;
    }
  }

  /**
   * EPB and OPB (the same layout but for the interface id's width). Hot path: the block's fixed part
   * is checked once against its length, then read from the view.
   */
  private packet(r: ByteReader, pos: number, total: number, offset: number, opb: boolean): void {
    const le = this.littleEndian;
    const view = r.view;
    this.stats.records++;
    if (total < EPB.MIN_SIZE) {
      this.corrupt(offset, 'packet block too short');
      return;
    }
    const at = r.need(pos, total);
    const id = opb ? view.getUint16(at + OPB.INTERFACE_ID, le) : view.getUint32(at + EPB.INTERFACE_ID, le);
    const iface = this.ifaces[id];
    if (iface === undefined) {
      this.corrupt(offset, `packet on undeclared interface ${id}`);
      return;
    }
    const caplen = view.getUint32(at + EPB.CAPLEN, le);
    if (EPB.DATA + caplen > total - 4) {
      this.corrupt(offset, `captured length ${caplen} beyond the block`);
      return;
    }
    const timeUs = toMicros(iface, view.getUint32(at + EPB.TS_HIGH, le), view.getUint32(at + EPB.TS_LOW, le));
    this.lastTimeUs = timeUs;
    this.emit(at + EPB.DATA, caplen, view.getUint32(at + EPB.ORIGLEN, le), iface, id, timeUs, offset);
  }

  /** SPB: interface 0, no timestamp (the last one seen stands in), captured bytes up to the snaplen. */
  private simple(r: ByteReader, pos: number, total: number, offset: number): void {
    this.stats.records++;
    if (total < SPB.MIN_SIZE) {
      this.corrupt(offset, 'simple packet block too short');
      return;
    }
    const iface = this.ifaces[0];
    if (iface === undefined) {
      this.corrupt(offset, 'simple packet block before any interface');
      return;
    }
    const at = r.need(pos, total);
    const origlen = r.view.getUint32(at + SPB.ORIGLEN, this.littleEndian);
    let caplen = Math.min(origlen, total - SPB.MIN_SIZE);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    this.emit(at + SPB.DATA, caplen, origlen, iface, 0, this.lastTimeUs, offset);
  }

  private emit(
    start: number,
    caplen: number,
    origlen: number,
    iface: Iface,
    id: number,
    timeUs: number,
    offset: number,
  ): void {
    const f = this.frame;
    f.start = start;
    f.caplen = caplen;
    f.origlen = origlen;
    f.linktype = iface.linktype;
    f.timeUs = timeUs;
    f.iface = id;
    f.offset = offset;
    this.decoder.frame(f);
  }

  /** A block whose two lengths agree but whose content is wrong: skipped, the next block is read. */
  private corrupt(offset: number, detail: string): void {
    countProblem(this.stats, 'corrupt', offset, detail);
  }

  /** The block structure itself is damaged: count it and resynchronise on the next good block. */
  private lose(offset: number, detail: string): void {
    countProblem(this.stats, 'corrupt', offset, detail);
    this.lost = true;
  }

  private badFirst(offset: number, detail: string): void {
    if (!this.started) throw new ParseError(`pcapng: ${detail}`);
    this.corrupt(offset, detail);
  }

  /** The next 4-aligned block of a known type whose two lengths agree (see `PcapFormat.resync`). */
  private resync(r: ByteReader, from: number, final: boolean): { found: boolean; pos: number } {
    const len = r.length;
    const le = this.littleEndian;
    let q = from;
    for (; q + BLOCK_HEADER.MIN_SIZE <= len; q += 4) {
      const type = r.u32At(q, le);
      if (!KNOWN.has(type)) continue;
      const total = r.u32At(q + BLOCK_HEADER.TOTAL_LENGTH, le);
      if (total < BLOCK_HEADER.MIN_SIZE || total % 4 !== 0 || total > MAX_BLOCK) continue;
      if (q + total > len) {
        if (final) continue;
        return { found: false, pos: q };
      }
      if (r.u32At(q + total - 4, le) === total) return { found: true, pos: q };
    }
    // Not found: drop what was scanned, keeping the 4-aligned tail too short to hold a block header.
    return { found: false, pos: final ? len : q };
  }
}

/** The byte order an SHB at `pos` declares: true little-endian, false big, undefined neither. */
function sectionOrder(r: ByteReader, pos: number): boolean | undefined {
  const m = r.u32At(pos + SHB.BYTE_ORDER_MAGIC, true);
  if (m === SHB.MAGIC_VALUE) return true;
  if (r.u32At(pos + SHB.BYTE_ORDER_MAGIC, false) === SHB.MAGIC_VALUE) return false;
  return undefined;
}

function isPacketBlock(type: number): boolean {
  return type === BLOCK.EPB || type === BLOCK.SPB || type === BLOCK.OPB;
}
