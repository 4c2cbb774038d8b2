/**
 * sock_diag replies written straight to the JSON contract's socket objects, byte for byte what
 * `JSON.stringify` gives for the `Socket` records DiagParser builds (after de-duplication and
 * attribution), without building them. Pure: bytes in, bytes out.
 *
 * Why: at 100,000 sockets, building records, collecting their garbage and stringifying them costs
 * three times the kernel's own work; `ls --json` (without -p, -i, -m or sorting) takes this path,
 * as `ss` prints straight from the reply. test/kernel/netlink-json.unit.test.ts checks the two
 * paths agree on recorded dumps.
 */
import { type ByteReader, OutOfBounds } from '../../net/byte-reader.js';
import { formatIpv6 } from '../../net/ip.js';
import { UintSet } from '../../net/uint-set.js';
import type { Attribution, Socket } from '../../tcp/socket.js';
import { TCP_STATES } from '../../tcp/states.js';
import {
  BadMessage,
  DiagRecord,
  type DumpStatus,
  isMappedAt,
  newStatus,
  TIMER_KINDS,
  walkDatagram,
} from './parse.js';

/** Who a socket without an inode belongs to (snapshot/attribute.ts decides; injected). */
export type AttributionOf = (
  s: Pick<Socket, 'state' | 'family' | 'local' | 'remote'>,
) => Attribution | undefined;

export interface JsonWriterOptions {
  littleEndian: boolean;
  attribution: AttributionOf;
  /** Receives the output chunk by chunk; each chunk is a fresh array the writer never touches again. */
  out: (chunk: Uint8Array) => void;
  chunkSize?: number;
}

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}
/** `{"state":"…","family":N,"local":{"address":"` for each family and state: one piece, not five. */
const OPEN = [4, 6].map((f) =>
  TCP_STATES.map((st) => ascii(`{"state":"${st}","family":${f},"local":{"address":"`)),
);
/** An address is written followed by this: addresses are cached with it appended. */
const PORT = '","port":';
const REMOTE = ascii('},"remote":{"address":"');
const RECVQ = ascii('},"recvQ":');
const SENDQ = ascii(',"sendQ":');
const INODE = ascii(',"inode":');
const UID = ascii(',"uid":');
const TIMER = TIMER_KINDS.map((k) => ascii(`,"timer":{"kind":"${k}","expiresMs":`));
const RETRANS = ascii(',"retransmits":');
/** The whole timer of a socket without one (the commonest case), and the end of the timer. */
const TIMER_OFF = ascii(',"timer":{"kind":"off","expiresMs":0,"retransmits":0}');
const MAPPED = ascii(',"mapped":true');
const ATTRIBUTION = ascii(',"attribution":');
/** Two ASCII digits for each of 0 to 99. */
const PAIRS = ascii(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));
/** The most a socket takes without its attribution: fixed text, two IPv6 addresses, eight numbers. */
const SOCKET_MAX = 400;

/** An output chunk: not zeroed, every byte handed over is written first. */
function newChunk(size: number): Uint8Array {
  return Buffer.allocUnsafe(size);
}

/** Writes the sockets of a dump as comma-separated JSON objects (the caller adds `[` and `]`). */
export class SocketJsonWriter {
  /** The current dump's status. */
  status: DumpStatus = newStatus();
  /** Sockets written. */
  count = 0;
  private readonly rec = new DiagRecord();
  // Sized for 130,000 sockets without growing (1 MiB).
  private readonly seenInodes = new UintSet(1 << 17);
  private readonly seenTuples = new Set<string>();
  private readonly v4 = new Map<number, Uint8Array>();
  private lastV4 = -1;
  private lastV4Bytes: Uint8Array | undefined;
  private readonly v6 = new Map<string, Uint8Array>();
  private readonly text = new Map<Uint8Array, string>();
  private readonly attributions = new Map<string, Uint8Array>();
  private readonly chunkSize: number;
  private buf: Uint8Array;
  private pos = 0;
  private readonly digits = new Uint8Array(20);
  private readonly onDiag = (r: ByteReader, off: number, len: number): void => this.message(r, off, len);

  constructor(private readonly opts: JsonWriterOptions) {
    this.chunkSize = Math.max(4096, opts.chunkSize ?? 256 * 1024);
    this.buf = newChunk(this.chunkSize);
  }

  /**
   * Starts the next dump (another request): its end, errors and bad messages go to `status`
   * (a fresh one by default); sockets already written stay de-duplicated against.
   */
  startDump(status: DumpStatus = newStatus()): void {
    this.status = status;
  }

  /** Writes the sockets of one datagram. */
  feed(dgram: ByteReader): void {
    walkDatagram(dgram, this.opts.littleEndian, this.status, this.onDiag);
  }

  /** Hands over what is buffered. */
  flush(): void {
    if (this.pos === 0) return;
    this.opts.out(this.buf.subarray(0, this.pos));
    this.buf = newChunk(this.chunkSize);
    this.pos = 0;
  }

  private message(r: ByteReader, off: number, len: number): void {
    const m = this.rec;
    try {
      m.read(r, off, len, this.opts.littleEndian);
    } catch (e) {
      if (!(e instanceof OutOfBounds || e instanceof BadMessage)) throw e;
      this.status.malformed++;
      this.status.firstError ??= `sock_diag message: ${e.message}`;
      return;
    }
    const local = this.address(r, m.src, m.family);
    const remote = this.address(r, m.dst, m.family);
    let attribution: Uint8Array | undefined;
    if (m.inode !== 0) {
      if (!this.seenInodes.add(m.inode)) return;
    } else {
      const l = this.textOf(local);
      const rm = this.textOf(remote);
      const key = `${m.family} ${l} ${m.sport} ${rm} ${m.dport}`;
      if (this.seenTuples.has(key)) return;
      this.seenTuples.add(key);
      const state = TCP_STATES[m.code - 1]!;
      const a = this.opts.attribution({
        state,
        family: m.family,
        local: { address: l, port: m.sport },
        remote: { address: rm, port: m.dport },
      });
      if (a) {
        const json = JSON.stringify(a);
        attribution = this.attributions.get(json);
        if (!attribution) {
          attribution = ascii(json);
          this.attributions.set(json, attribution);
        }
      }
    }
    this.socket(
      m,
      local,
      remote,
      m.family === 6 && (isMappedAt(r.bytes, m.src) || isMappedAt(r.bytes, m.dst)),
      attribution,
    );
  }

  private socket(
    m: DiagRecord,
    local: Uint8Array,
    remote: Uint8Array,
    mapped: boolean,
    attribution?: Uint8Array,
  ): void {
    if (this.pos + SOCKET_MAX + (attribution?.length ?? 0) > this.buf.length) this.flush();
    if (this.count > 0) this.buf[this.pos++] = 0x2c; // ,
    this.count++;
    this.put(OPEN[m.family === 4 ? 0 : 1]![m.code - 1]!);
    this.put(local); // the address and `","port":`
    this.uint(m.sport);
    this.put(REMOTE);
    this.put(remote);
    this.uint(m.dport);
    this.put(RECVQ);
    this.uint(m.rqueue);
    this.put(SENDQ);
    this.uint(m.wqueue);
    this.put(INODE);
    this.uint(m.inode);
    this.put(UID);
    this.uint(m.uid);
    if (m.timer === 0) this.put(TIMER_OFF);
    else {
      this.put(TIMER[m.timer]!);
      this.uint(m.expires);
      this.put(RETRANS);
      this.uint(m.retrans);
      this.buf[this.pos++] = 0x7d; // } of the timer
    }
    if (mapped) this.put(MAPPED);
    if (attribution) {
      this.put(ATTRIBUTION);
      this.put(attribution);
    }
    this.buf[this.pos++] = 0x7d;
  }

  private put(b: Uint8Array): void {
    const len = b.length;
    if (len > 16) {
      this.buf.set(b, this.pos);
      this.pos += len;
      return;
    }
    // A loop beats TypedArray.set for the short pieces.
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** A non-negative integer in decimal, two digits at a time, without building a string. */
  private uint(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    const d = this.digits;
    let i = d.length;
    while (n >= 100) {
      const q = Math.floor(n / 100);
      const r = (n - q * 100) * 2;
      d[--i] = PAIRS[r + 1]!;
      d[--i] = PAIRS[r]!;
      n = q;
    }
    if (n >= 10) {
      d[--i] = PAIRS[n * 2 + 1]!;
      d[--i] = PAIRS[n * 2]!;
    } else d[--i] = 0x30 + n;
    let p = this.pos;
    while (i < d.length) buf[p++] = d[i++]!;
    this.pos = p;
  }

  /**
   * The address at absolute offset `at` as JSON-ready ASCII followed by `","port":`, one array per
   * distinct address. The last IPv4 address is checked first: a table's local addresses repeat.
   */
  private address(r: ByteReader, at: number, family: 4 | 6): Uint8Array {
    const v = r.view;
    if (family === 4) {
      const w = v.getUint32(at, false);
      if (w === this.lastV4 && this.lastV4Bytes) return this.lastV4Bytes;
      let b = this.v4.get(w);
      if (b === undefined) {
        b = ascii(`${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}${PORT}`);
        this.v4.set(w, b);
      }
      this.lastV4 = w;
      this.lastV4Bytes = b;
      return b;
    }
    const key = `${v.getUint32(at, false)}:${v.getUint32(at + 4, false)}:${v.getUint32(at + 8, false)}:${v.getUint32(at + 12, false)}`;
    let b = this.v6.get(key);
    if (b === undefined) {
      b = ascii(`${formatIpv6(r.bytes.subarray(at, at + 16))}${PORT}`);
      this.v6.set(key, b);
    }
    return b;
  }

  /** The address text of a cached address (without its `","port":`). */
  private textOf(b: Uint8Array): string {
    let s = this.text.get(b);
    if (s === undefined) {
      s = String.fromCharCode(...b.subarray(0, b.length - PORT.length));
      this.text.set(b, s);
    }
    return s;
  }
}
