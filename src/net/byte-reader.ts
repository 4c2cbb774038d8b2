/**
 * One bounds-checked reader and writer for every binary format tcpscope reads (netlink replies,
 * pcap and pcapng blocks, packet headers). Pure.
 *
 * A reader is a window `[start, end)` over a byte array with one DataView over the whole array:
 * narrowing to a sub-window (`window`) shares that view, so walking nested records costs no copies
 * and no new DataViews. Every read names its endianness and checks the window's bounds; a read past
 * the end throws `OutOfBounds`, which callers turn into "counted and skipped" for one record.
 * @see https://github.com/bufbuild/protobuf-es packages/protobuf/src/wire/binary-encoding.ts (the model)
 */

/**
 * This machine's byte order, the order of host-order fields (netlink headers, procfs's address
 * words). Read from memory rather than node:os, which start-up would otherwise load for it.
 */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A read past the end of a window: the offset, how many bytes were needed and how many were left. */
export class OutOfBounds extends RangeError {
  override readonly name = 'OutOfBounds';
  constructor(
    readonly offset: number,
    readonly need: number,
    readonly have: number,
  ) {
    super(`truncated at offset 0x${offset.toString(16)} (need ${need} bytes, have ${Math.max(0, have)})`);
  }
}

/** A bounds-checked window over bytes; offsets given to the `…At` reads are relative to the window. */
export class ByteReader {
  /** The whole underlying array (a window never copies it). */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute start and end of this window in `bytes`. */
  readonly start: number;
  readonly end: number;
  /** Cursor for the sequential reads, relative to the window. */
  pos = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length, view?: DataView) {
    if (start < 0 || end > bytes.length || start > end)
      throw new OutOfBounds(start, end - start, bytes.length);
    this.bytes = bytes;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.start = start;
    this.end = end;
  }

  /** The window's length in bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.length - this.pos;
  }

  /** Throws unless `n` bytes exist at window offset `off`. Returns the absolute offset. */
  need(off: number, n: number): number {
    if (off < 0 || n < 0 || off + n > this.length) throw new OutOfBounds(off, n, this.length - off);
    return this.start + off;
  }

  u8At(off: number): number {
    return this.bytes[this.need(off, 1)]!;
  }
  /** Host-order fields (netlink headers) take the byte order as an argument. */
  u16At(off: number, littleEndian: boolean): number {
    return this.view.getUint16(this.need(off, 2), littleEndian);
  }
  u32At(off: number, littleEndian: boolean): number {
    return this.view.getUint32(this.need(off, 4), littleEndian);
  }
  i32At(off: number, littleEndian: boolean): number {
    return this.view.getInt32(this.need(off, 4), littleEndian);
  }
  /** A 64-bit unsigned as a number (exact below 2^53). */
  u64At(off: number, littleEndian: boolean): number {
    const a = this.need(off, 8);
    const lo = this.view.getUint32(littleEndian ? a : a + 4, littleEndian);
    const hi = this.view.getUint32(littleEndian ? a + 4 : a, littleEndian);
    return hi * 0x1_0000_0000 + lo;
  }
  u16leAt(off: number): number {
    return this.view.getUint16(this.need(off, 2), true);
  }
  u16beAt(off: number): number {
    return this.view.getUint16(this.need(off, 2), false);
  }
  u32leAt(off: number): number {
    return this.view.getUint32(this.need(off, 4), true);
  }
  u32beAt(off: number): number {
    return this.view.getUint32(this.need(off, 4), false);
  }
  i32leAt(off: number): number {
    return this.view.getInt32(this.need(off, 4), true);
  }
  /** `n` bytes at `off`, as a subarray of the underlying array (no copy). */
  bytesAt(off: number, n: number): Uint8Array {
    const a = this.need(off, n);
    return this.bytes.subarray(a, a + n);
  }
  /** A NUL-terminated (or window-terminated) latin1 string at `off`, at most `n` bytes. */
  cstringAt(off: number, n: number): string {
    const b = this.bytesAt(off, n);
    let len = b.indexOf(0);
    if (len < 0) len = b.length;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** The sub-window `[off, off + n)` of this window, sharing the same view. */
  window(off: number, n: number): ByteReader {
    const a = this.need(off, n);
    return new ByteReader(this.bytes, a, a + n, this.view);
  }

  // Sequential reads at the cursor.
  u8(): number {
    return this.u8At(this.advance(1));
  }
  u16le(): number {
    return this.u16leAt(this.advance(2));
  }
  u16be(): number {
    return this.u16beAt(this.advance(2));
  }
  u32le(): number {
    return this.u32leAt(this.advance(4));
  }
  u32be(): number {
    return this.u32beAt(this.advance(4));
  }
  skip(n: number): void {
    this.advance(n);
  }
  /** The next `n` bytes as a sub-window; the cursor moves past them. */
  take(n: number): ByteReader {
    return this.window(this.advance(n), n);
  }

  private advance(n: number): number {
    const off = this.pos;
    this.need(off, n);
    this.pos = off + n;
    return off;
  }
}

/** Writes fixed layouts (requests) with explicit endianness into a zeroed buffer of known size. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private need(off: number, n: number): void {
    if (off < 0 || off + n > this.bytes.length) throw new OutOfBounds(off, n, this.bytes.length - off);
  }
  u8(off: number, v: number): this {
    this.need(off, 1);
    this.bytes[off] = v;
    return this;
  }
  u16le(off: number, v: number): this {
    this.need(off, 2);
    this.view.setUint16(off, v, true);
    return this;
  }
  u16be(off: number, v: number): this {
    this.need(off, 2);
    this.view.setUint16(off, v, false);
    return this;
  }
  u32le(off: number, v: number): this {
    this.need(off, 4);
    this.view.setUint32(off, v, true);
    return this;
  }
  u32(off: number, v: number, littleEndian: boolean): this {
    this.need(off, 4);
    this.view.setUint32(off, v, littleEndian);
    return this;
  }
  u16(off: number, v: number, littleEndian: boolean): this {
    this.need(off, 2);
    this.view.setUint16(off, v, littleEndian);
    return this;
  }
  i32le(off: number, v: number): this {
    this.need(off, 4);
    this.view.setInt32(off, v, true);
    return this;
  }
  set(off: number, src: Uint8Array): this {
    this.need(off, src.length);
    this.bytes.set(src, off);
    return this;
  }
}
