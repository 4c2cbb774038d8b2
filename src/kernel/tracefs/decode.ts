/**
 * Records of the binary ring to typed events, with the field layout each event's `format` file gave
 * (offsets are looked up once, when the decoder is made, never hard-coded). Pure.
 */
import { type ByteReader, HOST_LITTLE_ENDIAN } from '../../net/byte-reader.js';
import { formatIpv6 } from '../../net/ip.js';
import type { TraceEvent, TraceEventName } from './events.js';
import type { EventFormat, FieldFormat } from './format.js';

/** What the caller knows of a record besides its bytes. */
export interface RecordContext {
  readonly ns: number;
  readonly timeMs: number;
  readonly cpu: number;
}

/** Decodes the data of one record of its event type; throws `OutOfBounds` on a short record. */
export type RecordDecoder = (data: ByteReader, ctx: RecordContext) => TraceEvent | undefined;

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
    if (!f) throw new Error(`${this.fmt.system}/${this.fmt.name}: no field '${name}' in its format`);
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
    return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
  }
}

const AF_INET6 = 10;

function v4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * The endpoints of events that carry `family`, `sport`, `dport`, `saddr[4]`, `daddr[4]`,
 * `saddr_v6[16]`, `daddr_v6[16]` (sock and most tcp events), or `saddr[28]`/`daddr[28]` holding a
 * sockaddr_in or sockaddr_in6 (tcp_send_reset since 6.10: family, port in network order, address).
 */
function endpoints(F: Fields): (d: ByteReader) => {
  family: 4 | 6;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
} {
  const saddr = F.get('saddr');
  const daddr = F.get('daddr');
  if (saddr.size >= 16 && !F.has('family')) {
    const one = (d: ByteReader, f: FieldFormat) => {
      const fam = d.u16At(f.offset, F.le);
      const port = d.u16beAt(f.offset + 2);
      if (fam === AF_INET6) return { fam: 6 as const, port, addr: formatIpv6(d.bytesAt(f.offset + 8, 16)) };
      return { fam: 4 as const, port, addr: v4(d.bytesAt(f.offset + 4, 4)) };
    };
    return (d) => {
      const s = one(d, saddr);
      const t = one(d, daddr);
      return { family: s.fam, saddr: s.addr, daddr: t.addr, sport: s.port, dport: t.port };
    };
  }
  const family = F.get('family');
  const sport = F.get('sport');
  const dport = F.get('dport');
  const s6 = F.has('saddr_v6') ? F.get('saddr_v6') : undefined;
  const d6 = F.has('daddr_v6') ? F.get('daddr_v6') : undefined;
  return (d) => {
    const fam = F.int(d, family);
    const six = fam === AF_INET6 && s6 !== undefined && d6 !== undefined;
    return {
      family: six ? 6 : 4,
      saddr: six ? formatIpv6(d.bytesAt(s6.offset, 16)) : v4(d.bytesAt(saddr.offset, 4)),
      daddr: six ? formatIpv6(d.bytesAt(d6.offset, 16)) : v4(d.bytesAt(daddr.offset, 4)),
      sport: F.int(d, sport),
      dport: F.int(d, dport),
    };
  };
}

function base(F: Fields, pidField: FieldFormat) {
  return (d: ByteReader, ctx: RecordContext) => ({
    ns: ctx.ns,
    timeMs: ctx.timeMs,
    cpu: ctx.cpu,
    pid: F.int(d, pidField),
  });
}

/** A decoder for one event's records, built from its format; throws when a needed field is missing. */
export function makeDecoder(name: TraceEventName, fmt: EventFormat, le = HOST_LITTLE_ENDIAN): RecordDecoder {
  const F = new Fields(fmt, le);
  const b = base(F, F.get('common_pid'));
  switch (name) {
    case 'inet_sock_set_state': {
      const ep = endpoints(F);
      const [sk, proto, olds, news] = ['skaddr', 'protocol', 'oldstate', 'newstate'].map((n) => F.get(n)) as [
        FieldFormat,
        FieldFormat,
        FieldFormat,
        FieldFormat,
      ];
      return (d, ctx) => ({
        event: name,
        ...b(d, ctx),
        ...ep(d),
        skaddr: F.hex(d, sk),
        protocol: F.int(d, proto),
        oldstate: F.int(d, olds),
        newstate: F.int(d, news),
      });
    }
    case 'inet_sk_error_report': {
      const ep = endpoints(F);
      const proto = F.get('protocol');
      const err = F.get('error');
      return (d, ctx) => ({
        event: name,
        ...b(d, ctx),
        ...ep(d),
        protocol: F.int(d, proto),
        error: Math.abs(F.int(d, err)),
      });
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
        const e = { event: name, ...b(d, ctx), ...ep(d), skaddr: F.hex(d, sk) };
        const withState = state ? { ...e, state: F.int(d, state) } : e;
        return reason ? { ...withState, reason: F.int(d, reason) } : withState;
      };
    }
    case 'sys_exit_connect': {
      const ret = F.get('ret');
      return (d, ctx) => ({ event: name, ...b(d, ctx), ret: F.int(d, ret) });
    }
  }
}
