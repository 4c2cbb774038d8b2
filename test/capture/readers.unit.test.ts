/**
 * The readers on captures built by hand (test/helpers/capture-writer.ts): each layout of pcap and
 * pcapng, each link type, VLAN tags, IPv4 options, IPv6 extension headers, fragments, snaplen cuts,
 * damaged records (counted with their offsets, the reader going on) and unusable headers (fatal).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureParser, parseCapture } from '../../src/capture/index.js';
import type { CaptureStats } from '../../src/capture/stats.js';
import { ParseError } from '../../src/errors.js';
import type { WirePacket } from '../../src/net/packet.js';
import {
  concat,
  frame,
  ipPacket,
  LINK_CODE,
  type Link,
  PcapngWriter,
  pcapFile,
  type Seg,
  TCP_FLAGS,
} from '../helpers/capture-writer.js';

const V4: Seg = {
  src: '127.0.0.1',
  dst: '127.0.0.2',
  sport: 40000,
  dport: 80,
  seq: 1000,
  ack: 0,
  flags: TCP_FLAGS.SYN,
};
const V6: Seg = {
  src: '::1',
  dst: 'fe80::1',
  sport: 40001,
  dport: 443,
  seq: 0xfffffff0,
  ack: 7,
  flags: 0x18,
  len: 10,
};

function read(bytes: Uint8Array): { packets: WirePacket[]; stats: CaptureStats } {
  const packets: WirePacket[] = [];
  const stats = parseCapture(bytes, (p) => packets.push(p));
  return { packets, stats };
}

function only(bytes: Uint8Array): WirePacket {
  const { packets, stats } = read(bytes);
  assert.equal(packets.length, 1, `one packet (skipped: ${JSON.stringify(stats.skipped)})`);
  return packets[0]!;
}

function expectSeg(p: WirePacket, s: Seg): void {
  assert.deepEqual(
    {
      family: p.family,
      src: p.src,
      dst: p.dst,
      sport: p.sport,
      dport: p.dport,
      seq: p.seq,
      ack: p.ack,
      flags: p.flags,
      len: p.len,
    },
    {
      family: s.src.includes(':') ? 6 : 4,
      src: s.src,
      dst: s.dst,
      sport: s.sport,
      dport: s.dport,
      seq: s.seq ?? 0,
      ack: s.ack ?? 0,
      flags: s.flags ?? TCP_FLAGS.ACK,
      len: s.len ?? 0,
    },
  );
}

const LINKS: Link[] = ['ethernet', 'raw', 'sll', 'sll2', 'null-le', 'null-be', 'loop', 'ipv4', 'ipv6'];

describe('pcap layouts', () => {
  it('both byte orders, micro- and nanoseconds', () => {
    for (const le of [true, false])
      for (const nano of [false, true]) {
        const rec = {
          data: frame('ethernet', ipPacket(V4)),
          sec: 1_800_000_000,
          frac: nano ? 123_456_789 : 123_456,
        };
        const p = only(pcapFile([rec], { le, nano }));
        expectSeg(p, V4);
        assert.equal(p.timeUs, 1_800_000_000_123_456, `le=${le} nano=${nano}`);
        assert.equal(p.iface, 0);
        assert.equal(p.offset, 24);
      }
  });

  it('every link type, IPv4 and IPv6', () => {
    for (const link of LINKS)
      for (const seg of [V4, V6]) {
        if ((link === 'ipv4' && seg === V6) || (link === 'ipv6' && seg === V4)) continue;
        const bytes = pcapFile([{ data: frame(link, ipPacket(seg)) }], { linktype: LINK_CODE[link] });
        expectSeg(only(bytes), seg);
      }
    // Raw IP under DLT_RAW's own number, as older writers put it (tcpdump reads it so too).
    for (const seg of [V4, V6])
      expectSeg(only(pcapFile([{ data: frame('raw', ipPacket(seg)) }], { linktype: 12 })), seg);
  });

  it('802.1Q, QinQ and the old 0x9100 tag; too many tags are malformed', () => {
    for (const tags of [[0x8100], [0x88a8, 0x8100], [0x9100, 0x8100, 0x8100]])
      expectSeg(only(pcapFile([{ data: frame('ethernet', ipPacket(V6), tags) }])), V6);
    const { stats } = read(
      pcapFile([{ data: frame('ethernet', ipPacket(V4), [0x8100, 0x8100, 0x8100, 0x8100, 0x8100]) }]),
    );
    assert.equal(stats.skipped.malformed, 1);
  });

  it('IPv4 options and TCP options move the headers, the length comes from the IP header', () => {
    const seg = { ...V4, ipOptions: 12, tcpOptions: 20, len: 100 };
    expectSeg(only(pcapFile([{ data: frame('ethernet', ipPacket(seg)) }])), seg);
  });

  it('IPv6 extension headers, in any order, up to TCP', () => {
    for (const ext of [['hop'], ['hop', 'dst', 'routing', 'frag', 'ah', 'dst'], ['frag']] as NonNullable<
      Seg['ext']
    >[]) {
      const seg = { ...V6, ext };
      expectSeg(only(pcapFile([{ data: frame('raw', ipPacket(seg)) }], { linktype: 101 })), seg);
    }
  });

  it('non-first fragments, other protocols and non-IP frames are counted, not yielded', () => {
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    const { packets, stats } = read(
      pcapFile([
        { data: frame('ethernet', ipPacket({ ...V4, fragOffset: 185 })) },
        { data: frame('ethernet', ipPacket({ ...V6, ext: ['frag'], fragOffset: 10 })) },
        { data: frame('ethernet', ipPacket({ ...V4, protocol: 17 })) },
        { data: frame('ethernet', ipPacket({ ...V6, ext: ['hop'], protocol: 58 })) },
        { data: arp },
        { data: frame('ethernet', ipPacket({ ...V4, fragOffset: 0x2000 })) }, // MF set, offset 0: the first fragment
      ]),
    );
    assert.equal(packets.length, 1);
    assert.deepEqual(
      { fragments: stats.skipped.fragments, notTcp: stats.skipped.notTcp, notIp: stats.skipped.notIp },
      { fragments: 2, notTcp: 2, notIp: 1 },
    );
  });

  it('a snaplen cut keeps the length from the IP header; a cut inside the headers is counted', () => {
    const seg = { ...V4, len: 1400, flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH };
    const full = frame('ethernet', ipPacket(seg));
    expectSeg(only(pcapFile([{ data: full.subarray(0, 54), origlen: full.length }], { snaplen: 54 })), seg);
    const { stats } = read(pcapFile([{ data: full.subarray(0, 40), origlen: full.length }], { snaplen: 40 }));
    assert.equal(stats.skipped.truncated, 1);
    assert.deepEqual(stats.problems[0], { offset: 24, reason: 'truncated', detail: 'TCP header cut short' });
  });

  it('headers that contradict themselves are malformed, and the next record is read', () => {
    const bad4 = ipPacket(V4);
    bad4[0] = 0x43; // IHL 3
    const bad6 = ipPacket(V6);
    bad6[4] = 0; // payload length 5: less than the TCP header
    bad6[5] = 5;
    const badTcp = ipPacket(V4);
    badTcp[20 + 12] = 0x20; // data offset 8 bytes
    const { packets, stats } = read(
      pcapFile([{ data: bad4 }, { data: bad6 }, { data: badTcp }, { data: ipPacket(V4) }], { linktype: 101 }),
    );
    assert.equal(packets.length, 1);
    assert.equal(stats.skipped.malformed, 3);
  });

  it('a record header claiming too much is counted with its offset; reading resumes at the next good record', () => {
    const good = { data: frame('ethernet', ipPacket(V4)), sec: 1_700_000_000 };
    const garbage = new Uint8Array(16).fill(0xff);
    const bytes = pcapFile([good, garbage, good, good]);
    const { packets, stats } = read(bytes);
    assert.equal(packets.length, 3);
    assert.equal(stats.skipped.corrupt, 1);
    assert.equal(stats.problems[0]?.offset, 24 + 16 + good.data.length);
    assert.equal(packets[1]!.offset, 24 + 2 * 16 + good.data.length);
  });

  it('a last record cut short is counted', () => {
    const good = { data: frame('ethernet', ipPacket(V4)) };
    const bytes = pcapFile([good, good]);
    const { packets, stats } = read(bytes.subarray(0, bytes.length - 5));
    assert.equal(packets.length, 1);
    assert.equal(stats.skipped.corrupt, 1);
    assert.match(stats.problems[0]!.detail, /cut short/);
  });

  it('an unusable file header is the one fatal error', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /empty input/],
      [
        'text',
        new TextEncoder().encode('hello world, no capture'),
        /not a pcap or pcapng capture \(starts with 0x68656c6c\)/,
      ],
      ['cut header', pcapFile([]).subarray(0, 20), /pcap file header cut short \(20 of 24 bytes\)/],
      ['version', pcapFile([], { version: 3 }), /unsupported pcap version 3\.4/],
      [
        'pcapng byte order',
        new PcapngWriter().raw(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4)).bytes(),
        /byte-order magic/,
      ],
    ];
    for (const [what, bytes, msg] of cases)
      assert.throws(
        () => read(bytes),
        (e: unknown) => e instanceof ParseError && msg.test(e.message),
        what,
      );
  });
});

describe('pcapng layouts', () => {
  const data = frame('ethernet', ipPacket(V4));

  it('SHB in either byte order; if_tsresol in powers of ten and of two; if_tsoffset', () => {
    const cases: [number | undefined, bigint, number][] = [
      [undefined, 1_800_000_000_123_456n, 1_800_000_000_123_456],
      [9, 1_800_000_000_123_456_789n, 1_800_000_000_123_456],
      [3, 1_800_000_000_123n, 1_800_000_000_123_000],
      [0x80 | 20, 5n * 1_048_576n + 524_288n, 5_500_000],
    ];
    for (const le of [true, false])
      for (const [tsresol, ts, want] of cases) {
        const w = new PcapngWriter()
          .shb(le)
          .idb(1, tsresol === undefined ? {} : { tsresol })
          .epb(0, ts, data);
        const p = only(w.bytes());
        assert.equal(p.timeUs, want, `le=${le} tsresol=${tsresol}`);
        expectSeg(p, V4);
      }
    const p = only(new PcapngWriter().shb().idb(1, { tsoffset: 100 }).epb(0, 5n, data).bytes());
    assert.equal(p.timeUs, 100_000_005);
  });

  it('several interfaces with their own link types; SPB and OPB; other blocks skipped', () => {
    const w = new PcapngWriter()
      .shb()
      .idb(1)
      .idb(276, { tsresol: 9 })
      .idb(101)
      .block(5, new Uint8Array(20)) // interface statistics
      .block(0x0bad, new Uint8Array(7)) // custom
      .block(0x1234, new Uint8Array(3)) // unknown
      .epb(0, 1_000_000n, data)
      .epb(1, 2_000_000_000n, frame('sll2', ipPacket(V6)))
      .opb(2, 3_000_000n, ipPacket(V4))
      .spb(data);
    const { packets, stats } = read(w.bytes());
    assert.deepEqual(
      packets.map((p) => [p.iface, p.timeUs, p.family]),
      [
        [0, 1_000_000, 4],
        [1, 2_000_000, 6],
        [2, 3_000_000, 4],
        [0, 3_000_000, 4], // SPB: interface 0, the last time seen
      ],
    );
    assert.deepEqual(stats.linkTypes, [1, 276, 101]);
    assert.equal(stats.skipped.otherBlocks, 3);
    assert.equal(stats.records, 4);
  });

  it('a new section in the other byte order declares its own interfaces', () => {
    const a = new PcapngWriter().shb(true).idb(1).epb(0, 1n, data).bytes();
    const b = new PcapngWriter().shb(false).idb(101).epb(0, 2n, ipPacket(V6)).bytes();
    const { packets } = read(concat([a, b]));
    assert.deepEqual(
      packets.map((p) => p.family),
      [4, 6],
    );
  });

  it('damaged blocks are counted with their offsets; the reader resynchronises on the next good block', () => {
    const head = new PcapngWriter().shb().idb(1).bytes();
    const good = new PcapngWriter().epb(0, 1n, data).bytes();
    const badTrailer = good.slice();
    badTrailer[badTrailer.length - 4]! ^= 0xff;
    const badLength = good.slice();
    badLength[4] = 3; // not a multiple of 4
    const undeclared = new PcapngWriter().epb(7, 1n, data).bytes();
    // A block of an unknown type after a bad one is skipped whole: its lengths are trusted again.
    const unknown = new PcapngWriter().block(0x1234, Uint8Array.of(6, 0, 0, 0, 40, 0, 0, 0)).bytes();
    const bytes = concat([head, good, badTrailer, good, badLength, good, undeclared, unknown, good]);
    const { packets, stats } = read(bytes);
    assert.equal(packets.length, 4);
    assert.equal(stats.skipped.corrupt, 3);
    assert.equal(stats.skipped.otherBlocks, 1);
    assert.deepEqual(
      stats.problems.map((p) => p.offset),
      [head.length + good.length, head.length + 3 * good.length, head.length + 5 * good.length],
    );
  });

  it('a huge block of another type is skipped as it streams by, in bounded memory', () => {
    const head = new PcapngWriter().shb().idb(1).bytes();
    const huge = new PcapngWriter().block(0x1234, new Uint8Array(3 << 20)).bytes();
    const tail = new PcapngWriter().epb(0, 1n, data).bytes();
    const packets: WirePacket[] = [];
    const parser = new CaptureParser((p) => packets.push(p));
    const all = concat([head, huge, tail]);
    for (let at = 0; at < all.length; at += 65_536) parser.push(all.subarray(at, at + 65_536));
    const stats = parser.end();
    assert.equal(packets.length, 1);
    assert.equal(stats.skipped.otherBlocks, 1);
    assert.equal(packets[0]!.offset, head.length + huge.length);
  });

  it('a file that does not start with a section header is fatal', () => {
    const noShb = new PcapngWriter().shb().idb(1).bytes().subarray(28);
    assert.throws(() => read(concat([Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), noShb])), ParseError);
    assert.throws(() => read(new PcapngWriter().shb(true, 2).bytes()), /unsupported version 2/);
  });
});
