/**
 * `pcap --json`'s connections written straight to bytes: byte for byte what `connJsonText` gives,
 * without a string per connection (a big capture's listing is hundreds of MB: building it as text
 * and encoding it for the pipe cost as much as tracking the connections). Moments are written from
 * a second's text made once and the digits of its milli- and microseconds. Pure: connections in,
 * chunks out. test/render/conn-json-bytes.unit.test.ts checks it against `connJsonText`.
 */
import { isoTime } from '../flow/report.js';
import type { Conn, ConnEnd } from '../flow/tracker.js';
import { bytesOf, JsonChunks } from './json-chunks.js';

const ID = bytesOf('{"id":');
const FAMILY = bytesOf(',"family":');
const START = bytesOf(',"start":"');
const DURATION = bytesOf('","durationMs":');
const CLIENT = bytesOf(',"client":');
const SERVER = bytesOf(',"server":');
const ADDRESS = bytesOf('{"address":');
const PORT = bytesOf(',"port":');
const STATES = bytesOf(',"states":[');
const TIMELINE = bytesOf('],"timeline":[');
const PACKETS = bytesOf('],"packets":');
const BYTES = bytesOf(',"bytes":');
const RETRANS = bytesOf(',"retransmissions":');
const CONN_STATE = bytesOf(',"connState":"');
const HISTORY = bytesOf('","history":"');
const FIRST_CLOSE = bytesOf('","firstClose":{"end":"');
const HOW = bytesOf('","how":"');
const MIDSTREAM_AFTER_CLOSE = bytesOf('"},"midstream":');
const MIDSTREAM = bytesOf('","midstream":');
const ANOMALIES = bytesOf(',"anomalies":[');
const END = bytesOf(']}');
const TIME = bytesOf('","time":"');
const ENTRY_END = bytesOf('"}');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
/** `0`…`999` as three digits. */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => bytesOf(String(i).padStart(3, '0')));
/** Seconds whose text is kept (a power of two): more than the minute a closed connection stays. */
const SECONDS = 256;
/** Durations below this many µs are written by hand (a dozen days): beyond, through their text. */
const DURATION_BY_HAND = 2 ** 40;

/** Writes connections as the listing's JSON objects (the caller writes what is around and between them). */
export class ConnJsonWriter extends JsonChunks {
  /** `"STATE"` and `{"state":"STATE` by state. */
  private readonly quoted = new Map<string, Uint8Array>();
  private readonly entries = new Map<string, Uint8Array>();
  /** Addresses as JSON strings, quotes included. */
  private readonly addresses = new Map<string, Uint8Array>();
  /**
   * The text of a second (`2026-12-06T00:15:03.`) by second, direct-mapped: a connection's moments
   * span its life and the minute its ends are kept after, so one second is not enough.
   */
  private readonly isoSeconds = new Float64Array(SECONDS).fill(Number.NaN);
  private readonly isoPrefixes: Uint8Array[] = new Array<Uint8Array>(SECONDS);

  /**
   * Writes `c` as `connJsonText(c)`; with `id` false, without its opening `{"id":N` (a worker's,
   * whose numbers the main thread gives).
   */
  conn(c: Conn, id = true): void {
    const cl = c.client;
    const sv = c.server;
    this.room(
      640 +
        6 * (cl.address.length + sv.address.length) +
        96 * (cl.states.length + sv.states.length) +
        3 * c.history.length +
        48 * c.anomalies.length,
    );
    if (id) {
      this.put(ID);
      this.uint(c.n);
    }
    this.put(FAMILY);
    this.uint(c.family);
    this.put(START);
    this.moment(c.startUs);
    this.put(DURATION);
    this.duration(c.lastUs - c.startUs);
    this.put(CLIENT);
    this.end(cl);
    this.put(SERVER);
    this.end(sv);
    this.put(CONN_STATE);
    this.put(this.texts.get(c.connState));
    this.put(HISTORY);
    this.put(this.texts.get(c.history));
    if (c.firstClose) {
      this.put(FIRST_CLOSE);
      this.put(this.texts.get(c.firstClose.end));
      this.put(HOW);
      this.put(this.texts.get(c.firstClose.how));
      this.put(MIDSTREAM_AFTER_CLOSE);
    } else this.put(MIDSTREAM);
    this.put(c.midstream ? TRUE : FALSE);
    this.put(ANOMALIES);
    for (let i = 0; i < c.anomalies.length; i++) {
      if (i > 0) this.buf[this.pos++] = 0x2c;
      this.put(this.quote(c.anomalies[i]!));
    }
    this.put(END);
  }

  /** A connection a worker wrote with `conn(c, false)`, opened with its number `n`. */
  numbered(n: number, tail: Uint8Array): void {
    this.room(tail.length + 24);
    this.put(ID);
    this.uint(n);
    this.put(tail);
  }

  private end(e: ConnEnd): void {
    this.put(ADDRESS);
    let a = this.addresses.get(e.address);
    if (a === undefined) {
      a = bytesOf(JSON.stringify(e.address));
      if (this.addresses.size >= 1 << 14) this.addresses.clear();
      this.addresses.set(e.address, a);
    }
    this.put(a);
    this.put(PORT);
    this.uint(e.port);
    this.put(STATES);
    const states = e.states;
    for (let i = 0; i < states.length; i++) {
      if (i > 0) this.buf[this.pos++] = 0x2c;
      this.put(this.quote(states[i]!.state));
    }
    this.put(TIMELINE);
    for (let i = 0; i < states.length; i++) {
      if (i > 0) this.buf[this.pos++] = 0x2c;
      const s = states[i]!;
      this.put(this.entry(s.state));
      this.put(TIME);
      this.moment(s.atUs);
      this.put(ENTRY_END);
    }
    this.put(PACKETS);
    this.uint(e.packets);
    this.put(BYTES);
    this.uint(e.bytes);
    this.put(RETRANS);
    this.uint(e.retransmissions);
    this.buf[this.pos++] = 0x7d;
  }

  /** `"text"` for the names written unescaped (states, anomalies). */
  private quote(s: string): Uint8Array {
    let b = this.quoted.get(s);
    if (b === undefined) {
      b = bytesOf(`"${s}"`);
      this.quoted.set(s, b);
    }
    return b;
  }

  private entry(state: string): Uint8Array {
    let b = this.entries.get(state);
    if (b === undefined) {
      b = bytesOf(`{"state":"${state}`);
      this.entries.set(state, b);
    }
    return b;
  }

  /** A moment as `isoTime` writes it. */
  private moment(us: number): void {
    if (!Number.isSafeInteger(us) || us < 0) {
      this.put(this.texts.get(isoTime(us)));
      return;
    }
    const ms = Math.floor(us / 1000);
    const rest = us - ms * 1000;
    const sec = Math.floor(ms / 1000);
    const slot = sec & (SECONDS - 1);
    if (this.isoSeconds[slot] !== sec) {
      this.isoSeconds[slot] = sec;
      this.isoPrefixes[slot] = bytesOf(new Date(sec * 1000).toISOString().slice(0, 20));
    }
    this.put(this.isoPrefixes[slot]!);
    this.put(DIGITS3[ms - sec * 1000]!);
    if (rest !== 0) this.put(DIGITS3[rest]!);
    this.buf[this.pos++] = 0x5a;
  }

  /** `us / 1000` as JavaScript writes the number: whole milliseconds, then up to three decimals. */
  private duration(us: number): void {
    if (!Number.isSafeInteger(us) || us < 0 || us >= DURATION_BY_HAND) {
      this.num(us / 1000);
      return;
    }
    const ms = Math.floor(us / 1000);
    let frac = us - ms * 1000;
    this.uint(ms);
    if (frac === 0) return;
    this.buf[this.pos++] = 0x2e;
    let digits = 3;
    while (frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    // The fraction's leading zeros, then its digits without the trailing ones.
    for (let d = digits; d > 0; d--) {
      const p = 10 ** (d - 1);
      const q = Math.floor(frac / p);
      this.buf[this.pos++] = 48 + q;
      frac -= q * p;
    }
  }
}
