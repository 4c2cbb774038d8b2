/**
 * JSON written straight to bytes, in chunks handed on as they fill: the pieces that repeat (keys,
 * addresses, state names) are encoded once, numbers are written digit by digit. The writers of the
 * long streams (`trace --json`, `pcap --json`) build on it: at hundreds of thousands of records a
 * second, a string per record, the rope of a batch and encoding it for the pipe cost more than the
 * work that made the records. Pure.
 */

/** A string's bytes: ASCII and Latin-1 as themselves, anything else as UTF-8 (as the pipe gets it). */
export function bytesOf(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

/** An output chunk, not zeroed (every byte handed over is written first), as a plain byte array. */
function chunk(size: number): Uint8Array {
  const b = Buffer.allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/** Encodes texts once; cleared when full, so a stream of ever-new addresses stays bounded. */
export class TextCache {
  private readonly map = new Map<string, Uint8Array>();
  constructor(private readonly max = 1 << 14) {}
  get(s: string): Uint8Array {
    let b = this.map.get(s);
    if (b === undefined) {
      b = bytesOf(s);
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(s, b);
    }
    return b;
  }
}

/** Bytes written into chunks of `chunkSize`, each handed to `out` once full (or on `flush`). */
export class JsonChunks {
  protected buf: Uint8Array;
  protected pos = 0;
  /** Bytes handed over so far. */
  private handed = 0;
  protected readonly texts = new TextCache();

  constructor(
    private readonly out: (chunk: Uint8Array) => void,
    private readonly chunkSize = 256 * 1024,
  ) {
    this.buf = chunk(chunkSize);
  }

  /** Bytes written so far, handed over or not. */
  get written(): number {
    return this.handed + this.pos;
  }

  /** Hands over what is buffered. */
  flush(): void {
    if (this.pos === 0) return;
    this.out(this.buf.subarray(0, this.pos));
    this.handed += this.pos;
    this.buf = chunk(this.chunkSize);
    this.pos = 0;
  }

  /** Makes room for `n` more bytes in the current chunk. */
  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = chunk(n);
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(n);
    const b = this.buf;
    this.pos += Buffer.from(b.buffer, b.byteOffset, b.length).write(s, this.pos);
  }

  /** Bytes, after `room`. Short pieces are copied byte by byte: cheaper than `set`'s call. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.put(b);
  }

  protected put(b: Uint8Array): void {
    const n = b.length;
    const buf = this.buf;
    const at = this.pos;
    if (n > 12) buf.set(b, at);
    else for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
    this.pos = at + n;
  }

  /** A non-negative integer below 2^53 in decimal, after `room`. */
  protected uint(n: number): void {
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
      return;
    }
    // Division by ten is exact enough below 2^32; above, the number's own text.
    if (n > 0xffff_ffff) {
      this.ascii(String(n));
      return;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    let m = n;
    while (m >= 10) {
      const q = Math.floor(m / 10);
      this.buf[--p] = 48 + m - q * 10;
      m = q;
    }
    this.buf[p - 1] = 48 + m;
  }

  /** An ASCII string that rarely repeats, after `room`. */
  protected ascii(s: string): void {
    for (let k = 0; k < s.length; k++) this.buf[this.pos++] = s.charCodeAt(k);
  }

  /** A number as JSON writes it: integers by hand, anything else through its own text. */
  protected num(x: number): void {
    if (Number.isSafeInteger(x) && x >= 0) this.uint(x);
    else this.put(this.texts.get(String(x)));
  }
}
