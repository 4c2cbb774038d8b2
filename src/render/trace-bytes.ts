/**
 * Transitions written straight to bytes for `trace --json`: byte for byte what `itemJsonLine` gives,
 * without building a string per line and a rope per batch (at 100,000 transitions a second those
 * strings, and encoding them for the pipe, cost more than reading the kernel's ring). The texts that
 * repeat (addresses, the time of a millisecond, states, owners) are encoded once. Pure: items in,
 * chunks out. test/render/trace-bytes.unit.test.ts checks it against `itemJsonLine`.
 */
import type { TraceItem, TraceOwner, TraceTransition } from '../trace/types.js';
import { bytesOf, JsonChunks } from './json-chunks.js';
import { itemJsonLine, itemLine } from './trace-text.js';

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
export class TraceLineWriter extends JsonChunks {
  private readonly owners = new WeakMap<TraceOwner, Uint8Array>();
  private isoMs = Number.NaN;
  private iso: Uint8Array = new Uint8Array(0);

  constructor(
    out: (chunk: Uint8Array) => void,
    private readonly json: boolean,
    chunkSize = 256 * 1024,
  ) {
    super(out, chunkSize);
  }

  /** Writes one item. */
  write(i: TraceItem): void {
    if (this.json && i.kind === 'transition') this.transition(i);
    else this.text(this.json ? itemJsonLine(i) : itemLine(i));
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
