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
const FAMILY_4 = bytesOf(',"family":4,"start":"');
const FAMILY_6 = bytesOf(',"family":6,"start":"');
const DURATION = bytesOf('","durationMs":');
const CLIENT = bytesOf(',"client":');
const SERVER = bytesOf(',"server":');
const PACKETS = bytesOf('],"packets":');
const BYTES = bytesOf(',"bytes":');
const RETRANS = bytesOf(',"retransmissions":');
const MIDSTREAM = bytesOf('","midstream":');
const TRUE_ANOMALIES = bytesOf('true,"anomalies":[');
const FALSE_ANOMALIES = bytesOf('false,"anomalies":[');
const END = bytesOf(']}');
/** Seconds whose text is kept (a power of two): more than the minute a closed connection stays. */
const SECONDS = 256;
/** Durations below this many µs are written by hand (a dozen days): beyond, through their text. */
const DURATION_BY_HAND = 2 ** 40;

/** A state's opening in the timeline, and that opening with a second's text after it, by second. */
interface Entry {
  /** `{"state":"STATE","time":"` */
  readonly head: Uint8Array;
  readonly seconds: Float64Array;
  readonly withSecond: Uint8Array[];
}

/** Pieces kept before they are made anew (an adversarial capture's texts are all new). */
const KEPT = 4096;

/**
 * Writes connections as the listing's JSON objects (the caller writes what is around and between them).
 * Most of the bytes are the same from one connection to the next: they are kept as pieces as long as
 * can be (an address with the key after it, an end's list of states, a state's opening in the
 * timeline with its second), so that a connection is a few dozen copies and digits.
 */
export class ConnJsonWriter extends JsonChunks {
  /** `"ANOMALY"` by anomaly. */
  private readonly quoted = new Map<string, Uint8Array>();
  private readonly entries = new Map<string, Entry>();
  /** `{"address":"ADDRESS","port":` by address. */
  private readonly addresses = new Map<string, Uint8Array>();
  /** A state's number in `stateLists`' keys (1 to 15), by state. */
  private readonly stateCodes = new Map<string, number>();
  /** `,"states":["A","B"],"timeline":[` by the states' numbers, four bits each. */
  private readonly stateLists = new Map<number, Uint8Array>();
  /** `,"connState":"SF","history":"` by Zeek code. */
  private readonly connStates = new Map<string, Uint8Array>();
  /** `","firstClose":{"end":"client","how":"FIN"},"midstream":` by end, then by how. */
  private readonly closes = new Map<string, Map<string, Uint8Array>>();
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
    this.put(c.family === 4 ? FAMILY_4 : c.family === 6 ? FAMILY_6 : this.familyText(c.family));
    this.moment(c.startUs);
    this.put(DURATION);
    this.duration(c.lastUs - c.startUs);
    this.put(CLIENT);
    this.end(cl);
    this.put(SERVER);
    this.end(sv);
    this.put(this.connState(c.connState));
    this.put(this.texts.get(c.history));
    if (c.firstClose) this.put(this.close(c.firstClose.end, c.firstClose.how));
    else this.put(MIDSTREAM);
    this.put(c.midstream ? TRUE_ANOMALIES : FALSE_ANOMALIES);
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
    let a = this.addresses.get(e.address);
    if (a === undefined) {
      a = bytesOf(`{"address":${JSON.stringify(e.address)},"port":`);
      if (this.addresses.size >= 1 << 14) this.addresses.clear();
      this.addresses.set(e.address, a);
    }
    this.put(a);
    this.uint(e.port);
    const states = e.states;
    this.put(this.stateList(states));
    for (let i = 0; i < states.length; i++) {
      if (i > 0) this.buf[this.pos++] = 0x2c;
      const s = states[i]!;
      this.entry(s.state, s.atUs);
      this.buf[this.pos++] = 0x22;
      this.buf[this.pos++] = 0x7d;
    }
    this.put(PACKETS);
    this.uint(e.packets);
    this.put(BYTES);
    this.uint(e.bytes);
    this.put(RETRANS);
    this.uint(e.retransmissions);
    this.buf[this.pos++] = 0x7d;
  }

  /** `,"states":[...],"timeline":[` for these states, kept by their numbers when there are few. */
  private stateList(states: ConnEnd['states']): Uint8Array {
    let key = 0;
    if (states.length <= 12) {
      for (let i = 0; i < states.length; i++) {
        let code = this.stateCodes.get(states[i]!.state);
        if (code === undefined) {
          if (this.stateCodes.size >= 15) {
            key = -1;
            break;
          }
          code = this.stateCodes.size + 1;
          this.stateCodes.set(states[i]!.state, code);
        }
        key = key * 16 + code;
      }
    } else key = -1;
    let b = key < 0 ? undefined : this.stateLists.get(key);
    if (b === undefined) {
      b = bytesOf(`,"states":[${states.map((s) => `"${s.state}"`).join(',')}],"timeline":[`);
      if (key >= 0) {
        if (this.stateLists.size >= KEPT) this.stateLists.clear();
        this.stateLists.set(key, b);
      }
    }
    return b;
  }

  /** `"text"` for the names written unescaped (anomalies). */
  private quote(s: string): Uint8Array {
    let b = this.quoted.get(s);
    if (b === undefined) {
      b = bytesOf(`"${s}"`);
      this.quoted.set(s, b);
    }
    return b;
  }

  /** `{"state":"STATE","time":"` and the moment, its closing quote left to the caller. */
  private entry(state: string, us: number): void {
    let e = this.entries.get(state);
    if (e === undefined) {
      e = {
        head: bytesOf(`{"state":"${state}","time":"`),
        seconds: new Float64Array(SECONDS).fill(Number.NaN),
        withSecond: new Array<Uint8Array>(SECONDS),
      };
      this.entries.set(state, e);
    }
    if (!Number.isSafeInteger(us) || us < 0) {
      this.put(e.head);
      this.moment(us);
      return;
    }
    const ms = Math.floor(us / 1000);
    const sec = Math.floor(ms / 1000);
    const slot = sec & (SECONDS - 1);
    if (e.seconds[slot] !== sec) {
      const prefix = this.secondText(sec);
      const b = new Uint8Array(e.head.length + prefix.length);
      b.set(e.head);
      b.set(prefix, e.head.length);
      e.seconds[slot] = sec;
      e.withSecond[slot] = b;
    }
    this.put(e.withSecond[slot]!);
    this.fraction(ms - sec * 1000, us - ms * 1000);
  }

  /** `,"connState":"CODE","history":"` */
  private connState(code: string): Uint8Array {
    let b = this.connStates.get(code);
    if (b === undefined) {
      b = bytesOf(`,"connState":"${code}","history":"`);
      if (this.connStates.size >= KEPT) this.connStates.clear();
      this.connStates.set(code, b);
    }
    return b;
  }

  /** `","firstClose":{"end":"END","how":"HOW"},"midstream":` */
  private close(end: string, how: string): Uint8Array {
    let byHow = this.closes.get(end);
    if (byHow === undefined) {
      byHow = new Map();
      if (this.closes.size >= KEPT) this.closes.clear();
      this.closes.set(end, byHow);
    }
    let b = byHow.get(how);
    if (b === undefined) {
      b = bytesOf(`","firstClose":{"end":"${end}","how":"${how}"},"midstream":`);
      if (byHow.size >= KEPT) byHow.clear();
      byHow.set(how, b);
    }
    return b;
  }

  private familyText(family: number): Uint8Array {
    return this.texts.get(`,"family":${family},"start":"`);
  }

  /** A moment as `isoTime` writes it. */
  private moment(us: number): void {
    if (!Number.isSafeInteger(us) || us < 0) {
      this.put(this.texts.get(isoTime(us)));
      return;
    }
    const ms = Math.floor(us / 1000);
    const sec = Math.floor(ms / 1000);
    this.put(this.secondText(sec));
    this.fraction(ms - sec * 1000, us - ms * 1000);
  }

  /** `2026-12-06T00:15:03.` */
  private secondText(sec: number): Uint8Array {
    const slot = sec & (SECONDS - 1);
    if (this.isoSeconds[slot] !== sec) {
      this.isoSeconds[slot] = sec;
      this.isoPrefixes[slot] = bytesOf(new Date(sec * 1000).toISOString().slice(0, 20));
    }
    return this.isoPrefixes[slot]!;
  }

  /** A moment's milliseconds, its microseconds unless none, and the `Z`. */
  private fraction(ms: number, us: number): void {
    this.digits3(ms);
    if (us !== 0) this.digits3(us);
    this.buf[this.pos++] = 0x5a;
  }

  /** `0`…`999` as three digits. */
  private digits3(n: number): void {
    const buf = this.buf;
    const at = this.pos;
    const h = (n / 100) | 0;
    const t = ((n - h * 100) / 10) | 0;
    buf[at] = 48 + h;
    buf[at + 1] = 48 + t;
    buf[at + 2] = 48 + n - h * 100 - t * 10;
    this.pos = at + 3;
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
