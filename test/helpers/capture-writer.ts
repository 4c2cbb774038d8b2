/**
 * Test-only: builds pcap and pcapng captures by hand, byte by byte, so the readers can be tested on
 * every layout (both byte orders, nanoseconds, each link type, VLAN tags, IPv6 extension headers,
 * fragments, truncated and damaged records) without a capture tool. Uses the project's ByteWriter.
 */
import { ByteWriter } from '../../src/net/byte-reader.js';
import { parseIp } from '../../src/net/ip.js';

/** A TCP segment to put on the wire. */
export interface Seg {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: number;
  /** Payload length (zeros). */
  len?: number;
  window?: number;
  /** IPv4 options bytes (a multiple of 4, NOPs). */
  ipOptions?: number;
  /** TCP options bytes (a multiple of 4, NOPs). */
  tcpOptions?: number;
  /** IPv6 extension headers in order, before TCP. */
  ext?: ('hop' | 'dst' | 'routing' | 'frag' | 'ah')[];
  /** Fragment offset in 8-byte units (IPv4 flags field, or the IPv6 fragment header). */
  fragOffset?: number;
  /** Another IP protocol number than TCP (UDP 17...). */
  protocol?: number;
}

const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export { TCP_FLAGS };

const EXT_CODE = { hop: 0, routing: 43, frag: 44, ah: 51, dst: 60 } as const;

/** The IP packet (IPv4 or IPv6 by the source address) carrying `s`. */
export function ipPacket(s: Seg): Uint8Array {
  const v6 = s.src.includes(':');
  const tcpOpts = s.tcpOptions ?? 0;
  const tcp = new ByteWriter(20 + tcpOpts + (s.len ?? 0));
  tcp
    .u16be(0, s.sport)
    .u16be(2, s.dport)
    .u32(4, s.seq ?? 0, false)
    .u32(8, s.ack ?? 0, false)
    .u8(12, ((20 + tcpOpts) / 4) << 4)
    .u8(13, s.flags ?? TCP_FLAGS.ACK)
    .u16be(14, s.window ?? 512);
  for (let i = 0; i < tcpOpts; i++) tcp.u8(20 + i, 1);
  const proto = s.protocol ?? 6;
  if (!v6) {
    const opts = s.ipOptions ?? 0;
    const ip = new ByteWriter(20 + opts + tcp.bytes.length);
    ip.u8(0, 0x40 | ((20 + opts) / 4))
      .u16be(2, ip.bytes.length)
      .u16be(6, s.fragOffset ?? 0)
      .u8(8, 64)
      .u8(9, proto)
      .set(12, parseIp(s.src)!.subarray(12))
      .set(16, parseIp(s.dst)!.subarray(12));
    for (let i = 0; i < opts; i++) ip.u8(20 + i, 1);
    return ip.set(20 + opts, tcp.bytes).bytes;
  }
  const exts = s.ext ?? [];
  const extSize = (e: string): number => (e === 'ah' ? 16 : 8);
  const extLen = exts.reduce((n, e) => n + extSize(e), 0);
  const ip = new ByteWriter(40 + extLen + tcp.bytes.length);
  ip.u8(0, 0x60)
    .u16be(4, extLen + tcp.bytes.length)
    .u8(6, exts.length > 0 ? EXT_CODE[exts[0]!] : proto)
    .u8(7, 64)
    .set(8, parseIp(s.src)!)
    .set(24, parseIp(s.dst)!);
  let at = 40;
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? EXT_CODE[exts[i + 1]!] : proto;
    ip.u8(at, next);
    if (e === 'ah')
      ip.u8(at + 1, 2); // (2 + 2) * 4 = 16 bytes
    else if (e === 'frag') ip.u16be(at + 2, (s.fragOffset ?? 0) << 3);
    else ip.u8(at + 1, 0); // (0 + 1) * 8 = 8 bytes
    at += extSize(e);
  });
  return ip.set(at, tcp.bytes).bytes;
}

/** Link types the writer frames for. */
export type Link = 'ethernet' | 'raw' | 'sll' | 'sll2' | 'null-le' | 'null-be' | 'loop' | 'ipv4' | 'ipv6';

export const LINK_CODE: Record<Link, number> = {
  ethernet: 1,
  raw: 101,
  sll: 113,
  sll2: 276,
  'null-le': 0,
  'null-be': 0,
  loop: 108,
  ipv4: 228,
  ipv6: 229,
};

/** The IP packet framed for `link`; `vlans` are 802.1Q/QinQ TPIDs put before the EtherType (Ethernet). */
export function frame(link: Link, ip: Uint8Array, vlans: number[] = []): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  const ethertype = v6 ? 0x86dd : 0x0800;
  switch (link) {
    case 'ethernet': {
      const w = new ByteWriter(14 + 4 * vlans.length + ip.length);
      w.set(0, Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2));
      let at = 12;
      vlans.forEach((tpid, i) => {
        w.u16be(at, tpid).u16be(at + 2, 100 + i);
        at += 4;
      });
      return w.u16be(at, ethertype).set(at + 2, ip).bytes;
    }
    case 'sll':
      return new ByteWriter(16 + ip.length)
        .u16be(0, 0)
        .u16be(2, 772)
        .u16be(4, 6)
        .u16be(14, ethertype)
        .set(16, ip).bytes;
    case 'sll2':
      return new ByteWriter(20 + ip.length).u16be(0, ethertype).u32(4, 1, false).u16be(8, 772).set(20, ip)
        .bytes;
    case 'null-le':
      return new ByteWriter(4 + ip.length).u32(0, v6 ? 30 : 2, true).set(4, ip).bytes;
    case 'null-be':
      return new ByteWriter(4 + ip.length).u32(0, v6 ? 10 : 2, false).set(4, ip).bytes;
    case 'loop':
      return new ByteWriter(4 + ip.length).u32(0, v6 ? 24 : 2, false).set(4, ip).bytes;
    default:
      return ip;
  }
}

/** A record: captured bytes, the wire length (default: the same) and the time. */
export interface Rec {
  data: Uint8Array;
  origlen?: number;
  /** Seconds and the fraction (µs, or ns in a nanosecond file). */
  sec?: number;
  frac?: number;
}

/** A classic pcap file. */
export function pcapFile(
  records: (Rec | Uint8Array)[],
  opts: { le?: boolean; nano?: boolean; linktype?: number; snaplen?: number; version?: number } = {},
): Uint8Array {
  const le = opts.le ?? true;
  const parts: Uint8Array[] = [];
  const h = new ByteWriter(24)
    .u32(0, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, le)
    .u16(4, opts.version ?? 2, le)
    .u16(6, 4, le)
    .u32(16, opts.snaplen ?? 262144, le)
    .u32(20, opts.linktype ?? 1, le);
  parts.push(h.bytes);
  for (const r of records) {
    if (r instanceof Uint8Array) {
      parts.push(r); // raw bytes: garbage, a cut record...
      continue;
    }
    parts.push(
      new ByteWriter(16)
        .u32(0, r.sec ?? 1_700_000_000, le)
        .u32(4, r.frac ?? 0, le)
        .u32(8, r.data.length, le)
        .u32(12, r.origlen ?? r.data.length, le).bytes,
      r.data,
    );
  }
  return concat(parts);
}

/** pcapng blocks, written in one byte order per section. */
export class PcapngWriter {
  private readonly parts: Uint8Array[] = [];
  private le = true;

  /** A Section Header Block; later blocks use its byte order. */
  shb(le = true, major = 1): this {
    this.le = le;
    const body = new ByteWriter(16).u32(0, 0x1a2b3c4d, le).u16(4, major, le).u16(6, 0, le);
    body.u32(8, 0xffffffff, le).u32(12, 0xffffffff, le); // section length unknown (-1)
    return this.block(0x0a0d0d0a, body.bytes);
  }

  /** An Interface Description Block with if_tsresol and if_tsoffset when given. */
  idb(linktype: number, opts: { tsresol?: number; tsoffset?: number; snaplen?: number } = {}): this {
    const le = this.le;
    const options: Uint8Array[] = [];
    if (opts.tsresol !== undefined)
      options.push(new ByteWriter(8).u16(0, 9, le).u16(2, 1, le).u8(4, opts.tsresol).bytes);
    if (opts.tsoffset !== undefined)
      options.push(
        new ByteWriter(12)
          .u16(0, 14, le)
          .u16(2, 8, le)
          .u32(le ? 4 : 8, opts.tsoffset, le).bytes,
      );
    if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
    const head = new ByteWriter(8).u16(0, linktype, le).u32(4, opts.snaplen ?? 262144, le).bytes;
    return this.block(1, concat([head, ...options]));
  }

  /** An Enhanced Packet Block; `ts` in the interface's units. */
  epb(iface: number, ts: bigint, data: Uint8Array, origlen = data.length): this {
    const le = this.le;
    const head = new ByteWriter(20)
      .u32(0, iface, le)
      .u32(4, Number(ts >> 32n), le)
      .u32(8, Number(ts & 0xffffffffn), le)
      .u32(12, data.length, le)
      .u32(16, origlen, le).bytes;
    return this.block(6, concat([head, pad4(data)]));
  }

  /** An obsolete Packet Block (16-bit interface id). */
  opb(iface: number, ts: bigint, data: Uint8Array): this {
    const le = this.le;
    const head = new ByteWriter(20)
      .u16(0, iface, le)
      .u32(4, Number(ts >> 32n), le)
      .u32(8, Number(ts & 0xffffffffn), le)
      .u32(12, data.length, le)
      .u32(16, data.length, le).bytes;
    return this.block(2, concat([head, pad4(data)]));
  }

  /** A Simple Packet Block (interface 0, no time). */
  spb(data: Uint8Array, origlen = data.length): this {
    return this.block(3, concat([new ByteWriter(4).u32(0, origlen, this.le).bytes, pad4(data)]));
  }

  /** Any block: type, lengths and the body (padded). */
  block(type: number, body: Uint8Array): this {
    const le = this.le;
    const b = pad4(body);
    const total = 12 + b.length;
    this.parts.push(
      new ByteWriter(8).u32(0, type, le).u32(4, total, le).bytes,
      b,
      new ByteWriter(4).u32(0, total, le).bytes,
    );
    return this;
  }

  /** Raw bytes (damage). */
  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const p = new Uint8Array((b.length + 3) & ~3);
  p.set(b);
  return p;
}

/** Joins byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A real pcap file's records as pcapng: one SHB and IDB (microseconds, or nanoseconds with
 * `tsresol` 9), an EPB per record. For pcapng fixtures from tcpdump's pcap output.
 */
export function pcapToPcapng(pcap: Uint8Array, opts: { le?: boolean } = {}): Uint8Array {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const magic = v.getUint32(0, false);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const w = new PcapngWriter()
    .shb(opts.le ?? true)
    .idb(v.getUint32(20, le) & 0xffff, nano ? { tsresol: 9 } : {});
  for (let at = 24; at + 16 <= pcap.length; ) {
    const caplen = v.getUint32(at + 8, le);
    const ts =
      BigInt(v.getUint32(at, le)) * (nano ? 1_000_000_000n : 1_000_000n) + BigInt(v.getUint32(at + 4, le));
    w.epb(0, ts, pcap.subarray(at + 16, at + 16 + caplen), v.getUint32(at + 12, le));
    at += 16 + caplen;
  }
  return w.bytes();
}
