/**
 * Transitions written straight to bytes for `trace --json`: byte for byte what `itemJsonLine` gives,
 * without building a string per line and a rope per batch (at 100,000 transitions a second those
 * strings, and encoding them for the pipe, cost more than reading the kernel's ring). The texts that
 * repeat (addresses, the time of a millisecond, states, owners) are encoded once. Pure: items in,
 * chunks out. test/render/trace-bytes.unit.test.ts checks it against `itemJsonLine`.
 */
import type { TraceItem, TraceOwner, TraceTransition } from '../trace/types.js';
import { itemJsonLine, itemLine } from './trace-text.js';

/** A string's bytes: ASCII and Latin-1 as themselves, anything else as UTF-8 (as the pipe gets it). */
function bytesOf(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

/** An output chunk, not zeroed (every byte handed over is written first), as a plain byte array. */
function chunk(size: number): Uint8Array {
  const b = Buffer.allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/** Encodes texts once; cleared when full, so a stream of ever-new addresses stays bounded. */
class TextCache {
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

const TIME = bytesOf('{"time":"');
const FAMILY = bytesOf('","family":');
const LOCAL = bytesOf(',"local":{"address":"');
const PORT = bytesOf('","port":');
const REMOTE = bytesOf('},"remote":{"address":"');
const FROM = bytesOf('},"from":"');
const TO = bytesOf('","to":"');
const SOURCE = bytesOf('","source":"');
const INFERRED = bytesOf(',"inferred":true');
const ANNOUNCED = bytesOf(',"announced":"');
const QUOTE = bytesOf('"');
const DURATION = bytesOf(',"durationMs":');
const INTERVAL = bytesOf(',"intervalMs":');
const SKADDR = bytesOf(',"skaddr":"');
const END = bytesOf('"}\n');
const CLOSE = bytesOf('}\n');
/** The most a transition line takes besides its owner's command: fixed text, two IPv6 addresses. */
const LINE_MAX = 512;

/** Writes items as lines (NDJSON, or the text table's rows) into chunks handed to `out`. */
export class TraceLineWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly texts = new TextCache();
  private readonly owners = new WeakMap<TraceOwner, Uint8Array>();
  private isoMs = Number.NaN;
  private iso: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly out: (chunk: Uint8Array) => void,
    private readonly json: boolean,
    private readonly chunkSize = 256 * 1024,
  ) {
    this.buf = chunk(chunkSize);
  }

  /** Writes one item. */
  write(i: TraceItem): void {
    if (this.json && i.kind === 'transition') this.transition(i);
    else this.text(this.json ? itemJsonLine(i) : itemLine(i));
  }

  /** Hands over what is buffered. */
  flush(): void {
    if (this.pos === 0) return;
    this.out(this.buf.subarray(0, this.pos));
    this.buf = chunk(this.chunkSize);
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = chunk(n);
  }

  private text(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(n);
    const b = this.buf;
    this.pos += Buffer.from(b.buffer, b.byteOffset, b.length).write(s, this.pos);
  }

  /** Copies a short piece byte by byte: for a few dozen bytes, cheaper than `set`'s call. */
  private put(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A non-negative integer below 2^53 in decimal. */
  private uint(n: number): void {
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
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

  /** An ASCII string that rarely repeats (a socket's kernel address). */
  private ascii(s: string): void {
    for (let k = 0; k < s.length; k++) this.buf[this.pos++] = s.charCodeAt(k);
  }

  /** A number as JSON writes it: integers by hand, anything else through its own text. */
  private num(x: number): void {
    if (Number.isSafeInteger(x) && x >= 0) this.uint(x);
    else this.put(this.texts.get(String(x)));
  }

  private transition(t: TraceTransition): void {
    this.room(LINE_MAX + (t.owner?.command?.length ?? 0) * 6 + (t.skaddr?.length ?? 0));
    const ms = Math.floor(t.timeMs);
    if (ms !== this.isoMs) {
      this.isoMs = ms;
      this.iso = bytesOf(new Date(ms).toISOString());
    }
    this.put(TIME);
    this.put(this.iso);
    this.put(FAMILY);
    this.uint(t.family);
    this.put(LOCAL);
    this.put(this.texts.get(t.local.address));
    this.put(PORT);
    this.uint(t.local.port);
    this.put(REMOTE);
    this.put(this.texts.get(t.remote.address));
    this.put(PORT);
    this.uint(t.remote.port);
    this.put(FROM);
    this.put(this.texts.get(t.from));
    this.put(TO);
    this.put(this.texts.get(t.to));
    this.put(SOURCE);
    this.put(this.texts.get(t.source));
    this.put(QUOTE);
    if (t.inferred) this.put(INFERRED);
    if (t.announced) {
      this.put(ANNOUNCED);
      this.put(this.texts.get(t.announced));
      this.put(QUOTE);
    }
    if (t.durationMs !== undefined) {
      this.put(DURATION);
      this.num(Math.round(t.durationMs * 1000) / 1000);
    }
    if (t.owner) this.put(this.owner(t.owner));
    if (t.intervalMs !== undefined) {
      this.put(INTERVAL);
      this.num(t.intervalMs);
    }
    if (t.skaddr) {
      this.put(SKADDR);
      this.ascii(t.skaddr);
      this.put(END);
    } else this.put(CLOSE);
  }

  /** `,"owner":{…}` of an owner object, made once per object (sockets of one process share it). */
  private owner(o: TraceOwner): Uint8Array {
    let b = this.owners.get(o);
    if (b === undefined) {
      const cmd = o.command === undefined ? '' : `,"command":${JSON.stringify(o.command)}`;
      b = bytesOf(`,"owner":{"pid":${o.pid}${cmd},"via":"${o.via}"}`);
      this.owners.set(o, b);
    }
    return b;
  }
}
