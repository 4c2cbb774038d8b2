/**
 * Streaming: a capture far larger than memory needs passes through the parser in constant memory,
 * records spanning chunk boundaries; the async iterator over a Readable yields the same packets.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { CaptureParser, type CaptureStats, capturePackets } from '../../src/capture/index.js';
import { concat, frame, ipPacket, PcapngWriter, pcapFile, TCP_FLAGS } from '../helpers/capture-writer.js';

const SEG = { src: '127.0.0.1', dst: '127.0.0.9', sport: 1, dport: 2, flags: TCP_FLAGS.ACK, len: 1000 };

describe('capture streams', () => {
  it('400 MB of pcap and of pcapng in 1 MB chunks: every packet, memory flat', () => {
    for (const kind of ['pcap', 'pcapng'] as const) {
      const data = frame('ethernet', ipPacket(SEG)).subarray(0, 96); // a snaplen-cut record
      const one =
        kind === 'pcap'
          ? pcapFile([{ data, origlen: 1054 }]).subarray(24)
          : new PcapngWriter().epb(0, 1n, data, 1054).bytes();
      const header = kind === 'pcap' ? pcapFile([]) : new PcapngWriter().shb().idb(1).bytes();
      // A chunk of 1 MB + 7 bytes of whole records cut anywhere: records straddle every boundary.
      const perChunk = Math.ceil((1 << 20) / one.length);
      const body = concat(Array.from({ length: perChunk }, () => one));
      let packets = 0;
      const parser = new CaptureParser(() => packets++);
      parser.push(header);
      const total = 400;
      let maxBuffered = 0;
      globalThis.gc?.();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < total; i++) {
        // Cut the repeated body at a moving point so chunk edges fall inside records.
        const cut = (i * 7919) % body.length;
        parser.push(body.subarray(0, cut));
        parser.push(body.subarray(cut));
        maxBuffered = Math.max(maxBuffered, parser.buffered);
      }
      const stats: CaptureStats = parser.end();
      const grown = process.memoryUsage().heapUsed - before;
      assert.equal(packets, perChunk * total, kind);
      assert.equal(stats.records, perChunk * total);
      assert.ok(stats.bytes > 400e6);
      assert.ok(maxBuffered < one.length, `${kind}: held ${maxBuffered} bytes between chunks`);
      assert.ok(
        grown < 64e6,
        `${kind}: heap grew ${Math.round(grown / 1e6)} MB over ${Math.round(stats.bytes / 1e6)} MB`,
      );
    }
  });

  it('the async iterator over a Readable yields the packets in order', async () => {
    const recs = [1, 2, 3, 4, 5].map((n) => ({ data: frame('sll2', ipPacket({ ...SEG, seq: n })) }));
    const bytes = pcapFile(recs, { linktype: 276 });
    const chunks = Array.from({ length: Math.ceil(bytes.length / 10) }, (_, i) =>
      bytes.subarray(i * 10, i * 10 + 10),
    );
    const seqs: number[] = [];
    let tally: CaptureStats | undefined;
    for await (const p of capturePackets(Readable.from(chunks), (s) => {
      tally = s;
    }))
      seqs.push(p.seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
    assert.equal(tally?.packets, 5);
  });
});
