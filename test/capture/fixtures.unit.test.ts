/**
 * The readers on real captures recorded by tcpdump (test/fixtures/capture/regenerate.sh): every
 * packet tcpdump printed, with its time, addresses, ports, flags, seq, ack and length; the same
 * captures as editcap writes pcapng, rewritten as pcapng by the test writer (both byte orders), and
 * read in chunks of every awkward size.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CaptureParser, parseCapture } from '../../src/capture/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { pcapToPcapng } from '../helpers/capture-writer.js';
import { parseTcpdumpText, type TcpdumpLine } from '../helpers/tcpdump-text.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/capture/', import.meta.url));
const FIXTURES = [
  { file: 'lo', link: 1 },
  { file: 'lo-nano', link: 1 },
  { file: 'any', link: 276 },
  { file: 'any-sll', link: 113 },
  { file: 'snap60', link: 1 },
];

function read(bytes: Uint8Array): { packets: WirePacket[]; stats: ReturnType<typeof parseCapture> } {
  const packets: WirePacket[] = [];
  const stats = parseCapture(bytes, (p) => packets.push(p));
  return { packets, stats };
}

function assertSame(packets: WirePacket[], want: TcpdumpLine[], what: string): void {
  assert.equal(packets.length, want.length, `${what}: packet count`);
  want.forEach((w, i) => {
    const p = packets[i]!;
    const got: Partial<TcpdumpLine> = {
      timeUs: p.timeUs,
      family: p.family,
      src: p.src,
      dst: p.dst,
      sport: p.sport,
      dport: p.dport,
      flags: p.flags,
    };
    // tcpdump prints seq only for SYN, FIN, RST or data, ack only with the ACK flag, length unless cut.
    if (w.seq !== undefined) got.seq = p.seq;
    if (w.ack !== undefined) got.ack = p.ack;
    if (w.len !== undefined) got.len = p.len;
    assert.deepEqual(got, w, `${what}: packet ${i + 1}`);
  });
}

describe('capture readers on tcpdump recordings', () => {
  for (const { file, link } of FIXTURES) {
    const bytes = new Uint8Array(readFileSync(`${DIR}${file}.pcap`));
    const text = readFileSync(`${DIR}${file}.txt`, 'utf8');
    const want = parseTcpdumpText(text);
    const lines = text.trim().split('\n').length;

    it(`${file}.pcap: every packet as tcpdump -nr prints it`, () => {
      assert.ok(want.length > 20, 'the fixture holds traffic');
      assert.ok(
        want.some((w) => w.flags & 0x04),
        'a RST',
      );
      const { packets, stats } = read(bytes);
      assertSame(packets, want, file);
      assert.equal(stats.format, 'pcap');
      assert.deepEqual(stats.linkTypes, [link]);
      assert.equal(stats.records, lines);
      if (file === 'snap60') {
        // 60 bytes hold Ethernet, IPv6 and 6 bytes of TCP: tcpdump prints `[|tcp]`, we count them cut short.
        assert.ok(lines - want.length > 10);
        assert.equal(stats.skipped.truncated, lines - want.length);
      } else {
        assert.ok(
          want.some((w) => w.family === 6),
          'IPv6',
        );
        assert.equal(stats.packets, lines);
        assert.equal(stats.problems.length, 0);
      }
    });

    if (file === 'lo' || file === 'lo-nano')
      it(`${file}.pcapng as Wireshark's editcap wrote it: the same packets`, () => {
        const { packets, stats } = read(new Uint8Array(readFileSync(`${DIR}${file}.pcapng`)));
        assertSame(packets, want, `${file}.pcapng`);
        assert.equal(stats.format, 'pcapng');
        assert.equal(stats.problems.length, 0);
      });

    it(`${file} as pcapng, little- and big-endian: the same packets`, () => {
      for (const le of [true, false]) {
        const { packets, stats } = read(pcapToPcapng(bytes, { le }));
        assertSame(packets, want, `${file}.pcapng le=${le}`);
        assert.equal(stats.format, 'pcapng');
      }
    });

    it(`${file}: chunks of 1, 7, 100 and 4096 bytes give the same packets`, () => {
      const ng = pcapToPcapng(bytes, { le: false });
      for (const input of [bytes, ng])
        for (const size of [1, 7, 100, 4096]) {
          const packets: WirePacket[] = [];
          const parser = new CaptureParser((p) => packets.push(p));
          for (let at = 0; at < input.length; at += size) parser.push(input.subarray(at, at + size));
          const stats = parser.end();
          assertSame(packets, want, `${file} in chunks of ${size}`);
          assert.equal(stats.bytes, input.length);
        }
    });

    it(`${file}: one packet object refilled for each segment gives the same packets`, () => {
      const seen = new Set<WirePacket>();
      const packets: WirePacket[] = [];
      const parser = new CaptureParser((p) => {
        seen.add(p);
        packets.push({ ...p });
      }, true);
      parser.push(bytes);
      parser.end();
      assertSame(packets, want, `${file} with one packet object`);
      assert.equal(seen.size, 1);
    });
  }
});
