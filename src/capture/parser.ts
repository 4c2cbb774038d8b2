/**
 * The synchronous capture parser: bytes in (in chunks of any size), `WirePacket`s out through a
 * callback, pcap or pcapng told by the first four bytes. Pure and allocation-lean: the I/O layer
 * (`read.ts`) feeds it, tests feed it directly.
 */
import { ParseError } from '../errors.js';
import type { WirePacket } from '../net/packet.js';
import { PacketDecoder } from './decode.js';
import { PcapFormat } from './pcap.js';
import { PcapngFormat } from './pcapng.js';
import { type CaptureStats, emptyStats } from './stats.js';
import { BLOCK, PCAP_HEADER, PCAP_MAGIC } from './wire-file.js';

const PCAP_MAGICS = new Set<number>(Object.values(PCAP_MAGIC));

/** A parser of one capture stream. */
export class CaptureParser {
  /** The running tally (final after `end`). */
  readonly stats: CaptureStats = emptyStats();
  private readonly decoder: PacketDecoder;
  private format: PcapFormat | PcapngFormat | undefined;
  /** Input offset of the first byte not consumed yet. */
  private base = 0;
  private pending: Uint8Array | undefined;

  /** `reuse`: one packet object is filled anew for each segment (`onPacket` must not keep it). */
  constructor(onPacket: (packet: WirePacket) => void, reuse = false) {
    this.decoder = new PacketDecoder(this.stats, onPacket, reuse);
  }

  /**
   * Parses `bytes`, which continue the input right after what was consumed so far, and returns how
   * many bytes it consumed; the caller presents the rest again, followed by more (for readers that
   * manage their own buffer). `final`: nothing follows.
   * @throws ParseError when the file header is unusable (the only fatal case)
   */
  parse(bytes: Uint8Array, final: boolean): number {
    let used = 0;
    if (this.format === undefined) {
      used = this.start(bytes, final);
      if (this.format === undefined) return 0;
    }
    const rest = used === 0 ? bytes : bytes.subarray(used);
    used += this.format.parse(rest, this.base + used, final);
    this.base += used;
    this.stats.bytes = this.base;
    return used;
  }

  /** Bytes held over for the next chunk (an incomplete record, bounded by the largest record). */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  /** Stream use: parses a chunk, keeping a copy of any incomplete record for the next one. */
  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.pending !== undefined) {
      data = new Uint8Array(this.pending.length + chunk.length);
      data.set(this.pending);
      data.set(chunk, this.pending.length);
      this.pending = undefined;
    }
    const used = this.parse(data, false);
    if (used < data.length) this.pending = data.slice(used);
  }

  /**
   * The input is over: a record cut short at the end is counted. Returns the tally.
   * @throws ParseError when no usable file header came
   */
  end(): CaptureStats {
    this.parse(this.pending ?? new Uint8Array(0), true);
    this.pending = undefined;
    return this.stats;
  }

  /** Reads the file header once enough bytes are there; returns the bytes it took. */
  private start(bytes: Uint8Array, final: boolean): number {
    if (bytes.length < 4) {
      if (final)
        throw new ParseError(
          bytes.length === 0 ? 'empty input, no capture header' : 'too short for a capture header',
        );
      return 0;
    }
    const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    if (magic === BLOCK.SHB) {
      this.format = new PcapngFormat(this.stats, this.decoder);
      return 0;
    }
    if (!PCAP_MAGICS.has(magic))
      throw new ParseError(
        `not a pcap or pcapng capture (starts with 0x${magic.toString(16).padStart(8, '0')})`,
      );
    if (bytes.length < PCAP_HEADER.SIZE) {
      if (final)
        throw new ParseError(`pcap file header cut short (${bytes.length} of ${PCAP_HEADER.SIZE} bytes)`);
      return 0;
    }
    this.format = new PcapFormat(bytes, this.stats, this.decoder);
    return PCAP_HEADER.SIZE;
  }
}

/** Parses a whole capture held in memory (tests, small files); calls `onPacket` for each segment. */
export function parseCapture(bytes: Uint8Array, onPacket: (packet: WirePacket) => void): CaptureStats {
  const p = new CaptureParser(onPacket);
  p.parse(bytes, true);
  return p.stats;
}
