/**
 * Records of the binary ring to typed events, with the field layout each event's `format` file gave
 * (offsets are looked up once, when the decoder is made, never hard-coded). Pure.
 */

import { EnvironmentError } from '../../errors.js';
import { AddressCache } from '../../net/address-cache.js';
import { type ByteReader, HOST_LITTLE_ENDIAN } from '../../net/byte-reader.js';
import type { ResetEvent, RetransmitEvent, TraceEvent, TraceEventName } from './events.js';
import type { EventFormat, FieldFormat } from './format.js';

/** What the caller knows of a record besides its bytes. */
export interface RecordContext {
  readonly ns: number;
  readonly timeMs: number;
  readonly cpu: number;
}

/** Decodes the data of one record of its event type; throws `OutOfBounds` on a short record. */
export type RecordDecoder = (data: ByteReader, ctx: RecordContext) => TraceEvent | undefined;

/**
 * Sockets' kernel addresses as text, made once: a socket comes back in about five events.
 * Bounded: cleared when full.
 */
const CACHE_MAX = 1 << 16;
/** Kernel addresses by their low 32 bits, with the high word to check against. */
const skTexts = new Map<number, { hi: number; text: string }>();

/** Field accessors over a format, with the host's byte order. */
class Fields {
  constructor(
    readonly fmt: EventFormat,
    readonly le: boolean,
  ) {}
  has(name: string): boolean {
    return this.fmt.fields.has(name);
  }
  get(name: string): FieldFormat {
    const f = this.fmt.fields.get(name);
    if (!f)
      throw new EnvironmentError(
        `tracefs: this kernel's ${this.fmt.system}/${this.fmt.name} has no field '${name}' in its format`,
      );
    return f;
  }
  /** An integer field of 1, 2, 4 or 8 bytes (8 bytes as a number: exact below 2^53). */
  int(d: ByteReader, f: FieldFormat): number {
    switch (f.size) {
      case 1:
        return f.signed ? (d.u8At(f.offset) << 24) >> 24 : d.u8At(f.offset);
      case 2: {
        const v = d.u16At(f.offset, this.le);
        return f.signed ? (v << 16) >> 16 : v;
      }
      case 4:
        return f.signed ? d.i32At(f.offset, this.le) : d.u32At(f.offset, this.le);
      default: {
        if (!f.signed) return d.u64At(f.offset, this.le);
        // Signed 64-bit (a syscall's `long ret`): the high word carries the sign, so small negatives
        // stay exact (2^64 - n as a double would round to 2^64).
        const hi = d.i32At(f.offset + (this.le ? 4 : 0), this.le);
        const lo = d.u32At(f.offset + (this.le ? 0 : 4), this.le);
        return hi * 0x1_0000_0000 + lo;
      }
    }
  }
  /** A pointer field as lower-case hex without leading zeros (kernel addresses exceed 2^53). */
  hex(d: ByteReader, f: FieldFormat): string {
    if (f.size !== 8) return d.u32At(f.offset, this.le).toString(16);
    const lo = d.u32At(f.offset + (this.le ? 0 : 4), this.le);
    const hi = d.u32At(f.offset + (this.le ? 4 : 0), this.le);
    const hit = skTexts.get(lo);
    if (hit !== undefined && hit.hi === hi) return hit.text;
    const text = hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
    if (skTexts.size >= CACHE_MAX) skTexts.clear();
    skTexts.set(lo, { hi, text });
    return text;
  }
}

const AF_INET6 = 10;

/** Reads an event's endpoints; built once per format, called per record without allocating pieces. */
interface EndpointReader {
  six(d: ByteReader): boolean;
  saddr(d: ByteReader, six: boolean): string;
  daddr(d: ByteReader, six: boolean): string;
  sport(d: ByteReader): number;
  dport(d: ByteReader): number;
}

/** Address texts made once: the same few addresses come back in every event. */
const addresses = new AddressCache();

function v4At(d: ByteReader, off: number): string {
  return addresses.v4(d.view, d.need(off, 4));
}

/** An IPv6 address (a mapped one as IPv4). */
function v6At(d: ByteReader, off: number): string {
  return addresses.v6(d.bytes, d.view, d.need(off, 16));
}

/**
 * The endpoints of events that carry `family`, `sport`, `dport`, `saddr[4]`, `daddr[4]`,
 * `saddr_v6[16]`, `daddr_v6[16]` (sock and most tcp events), or `saddr[28]`/`daddr[28]` holding a
 * sockaddr_in or sockaddr_in6 (tcp_send_reset since 6.10: family, port in network order, address).
 */
function endpoints(F: Fields): EndpointReader {
  const saddr = F.get('saddr');
  const daddr = F.get('daddr');
  if (saddr.size >= 16 && !F.has('family')) {
    const six = (d: ByteReader) => d.u16At(saddr.offset, F.le) === AF_INET6;
    const addr = (d: ByteReader, f: FieldFormat) =>
      d.u16At(f.offset, F.le) === AF_INET6 ? v6At(d, f.offset + 8) : v4At(d, f.offset + 4);
    return {
      six,
      saddr: (d) => addr(d, saddr),
      daddr: (d) => addr(d, daddr),
      sport: (d) => d.u16beAt(saddr.offset + 2),
      dport: (d) => d.u16beAt(daddr.offset + 2),
    };
  }
  const family = F.get('family');
  const sport = F.get('sport');
  const dport = F.get('dport');
  const s6 = F.has('saddr_v6') ? F.get('saddr_v6') : undefined;
  const d6 = F.has('daddr_v6') ? F.get('daddr_v6') : undefined;
  return {
    six: (d) => F.int(d, family) === AF_INET6 && s6 !== undefined && d6 !== undefined,
    saddr: (d, six) => (six && s6 ? v6At(d, s6.offset) : v4At(d, saddr.offset)),
    daddr: (d, six) => (six && d6 ? v6At(d, d6.offset) : v4At(d, daddr.offset)),
    sport: (d) => F.int(d, sport),
    dport: (d) => F.int(d, dport),
  };
}

/**
 * A decoder for one event's records, built from its format; throws when a needed field is missing.
 * Each record becomes one object literal (no spreads: this runs for every event at high rates).
 */
export function makeDecoder(name: TraceEventName, fmt: EventFormat, le = HOST_LITTLE_ENDIAN): RecordDecoder {
  const F = new Fields(fmt, le);
  const pid = F.get('common_pid');
  switch (name) {
    case 'inet_sock_set_state': {
      const ep = endpoints(F);
      const [sk, proto, olds, news] = ['skaddr', 'protocol', 'oldstate', 'newstate'].map((n) => F.get(n)) as [
        FieldFormat,
        FieldFormat,
        FieldFormat,
        FieldFormat,
      ];
      return (d, ctx) => {
        const six = ep.six(d);
        return {
          event: name,
          ns: ctx.ns,
          timeMs: ctx.timeMs,
          cpu: ctx.cpu,
          pid: F.int(d, pid),
          family: six ? 6 : 4,
          saddr: ep.saddr(d, six),
          daddr: ep.daddr(d, six),
          sport: ep.sport(d),
          dport: ep.dport(d),
          skaddr: F.hex(d, sk),
          protocol: F.int(d, proto),
          oldstate: F.int(d, olds),
          newstate: F.int(d, news),
        };
      };
    }
    case 'inet_sk_error_report': {
      const ep = endpoints(F);
      const proto = F.get('protocol');
      const err = F.get('error');
      return (d, ctx) => {
        const six = ep.six(d);
        return {
          event: name,
          ns: ctx.ns,
          timeMs: ctx.timeMs,
          cpu: ctx.cpu,
          pid: F.int(d, pid),
          family: six ? 6 : 4,
          saddr: ep.saddr(d, six),
          daddr: ep.daddr(d, six),
          sport: ep.sport(d),
          dport: ep.dport(d),
          protocol: F.int(d, proto),
          error: Math.abs(F.int(d, err)),
        };
      };
    }
    case 'tcp_retransmit_skb':
    case 'tcp_retransmit_synack':
    case 'tcp_send_reset':
    case 'tcp_receive_reset': {
      const ep = endpoints(F);
      const sk = F.get('skaddr');
      const state = F.has('state') ? F.get('state') : undefined;
      const reason = F.has('reason') ? F.get('reason') : undefined;
      return (d, ctx) => {
        const six = ep.six(d);
        const e: ResetEvent | RetransmitEvent = {
          event: name as ResetEvent['event'],
          ns: ctx.ns,
          timeMs: ctx.timeMs,
          cpu: ctx.cpu,
          pid: F.int(d, pid),
          family: six ? 6 : 4,
          saddr: ep.saddr(d, six),
          daddr: ep.daddr(d, six),
          sport: ep.sport(d),
          dport: ep.dport(d),
          skaddr: F.hex(d, sk),
        };
        if (state) (e as { state?: number }).state = F.int(d, state);
        if (reason) (e as { reason?: number }).reason = F.int(d, reason);
        return e;
      };
    }
    case 'sys_exit_connect': {
      const ret = F.get('ret');
      return (d, ctx) => ({
        event: name,
        ns: ctx.ns,
        timeMs: ctx.timeMs,
        cpu: ctx.cpu,
        pid: F.int(d, pid),
        ret: F.int(d, ret),
      });
    }
  }
}
