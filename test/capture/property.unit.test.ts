/**
 * Property test of the capture readers: random bytes, and real captures with random bytes changed,
 * cut and split into random chunks, never throw anything but a one-line ParseError (for a file
 * header), never hang, and never hold more than one record's worth of bytes between chunks.
 * The seed comes from test/helpers/random.ts (`TCPSCOPE_SEED`) and is printed; FUZZ_RUNS=N runs
 * longer (bench/fuzz/run.sh).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { CaptureParser } from '../../src/capture/index.js';
import { MAX_BLOCK } from '../../src/capture/pcapng.js';
import { ParseError } from '../../src/errors.js';
import { concat, PcapngWriter, pcapFile, pcapToPcapng } from '../helpers/capture-writer.js';
import { withSeed } from '../helpers/random.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/capture/', import.meta.url));
const seed = withSeed().seed;
const REAL = ['lo', 'any', 'lo-nano'].map((f) => new Uint8Array(readFileSync(`${DIR}${f}.pcap`)));
const INPUTS = [
  ...REAL,
  ...REAL.map((b) => pcapToPcapng(b)),
  ...REAL.map((b) => pcapToPcapng(b, { le: false })),
];

/** Feeds `bytes` in chunks of the given sizes (cycled); returns what happened. */
function feed(bytes: Uint8Array, sizes: number[]): { packets: number; maxBuffered: number } {
  let packets = 0;
  let maxBuffered = 0;
  const parser = new CaptureParser(() => packets++);
  try {
    let k = 0;
    for (let at = 0; at < bytes.length; ) {
      const n = sizes[k++ % sizes.length]!;
      parser.push(bytes.subarray(at, at + n));
      at += n;
      maxBuffered = Math.max(maxBuffered, parser.buffered);
    }
    const stats = parser.end();
    assert.ok(stats.packets <= stats.records, 'no more packets than records');
    assert.equal(stats.packets, packets);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    assert.ok(!e.message.includes('\n'), 'one line');
  }
  return { packets, maxBuffered };
}

const chunks = fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 });

describe('capture readers on damaged input', () => {
  it(`never throw but ParseError, never hang, bounded buffer (seed ${seed})`, {
    timeout: process.env['FUZZ_RUNS'] ? Number.POSITIVE_INFINITY : 120_000,
  }, (t) => {
    t.diagnostic(`TCPSCOPE_SEED=${seed}`);
    const mutated = fc.record({
      input: fc.integer({ min: 0, max: INPUTS.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
      cut: fc.option(fc.nat()),
      chunks,
    });
    fc.assert(
      fc.property(mutated, ({ input, edits, cut, chunks }) => {
        const bytes = INPUTS[input]!.slice();
        for (const [at, v] of edits) bytes[at % bytes.length] = v;
        const b = cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
        const { maxBuffered } = feed(b, chunks);
        assert.ok(maxBuffered <= MAX_BLOCK + 5000, `buffered ${maxBuffered}`);
      }),
      withSeed({ numRuns: Number(process.env['FUZZ_RUNS'] ?? 400) }),
    );
  });

  it(`random bytes after a valid header, and with none (seed ${seed})`, {
    timeout: process.env['FUZZ_RUNS'] ? Number.POSITIVE_INFINITY : 120_000,
  }, () => {
    const headers = [
      new Uint8Array(0),
      pcapFile([]),
      pcapFile([], { le: false, nano: true, linktype: 276 }),
      new PcapngWriter().shb().idb(1).idb(113).bytes(),
      new PcapngWriter().shb(false).idb(101).bytes(),
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: headers.length - 1 }),
        fc.uint8Array({ maxLength: 20_000 }),
        chunks,
        (h, body, sizes) => {
          feed(concat([headers[h]!, body]), sizes);
        },
      ),
      withSeed({ numRuns: Number(process.env['FUZZ_RUNS'] ?? 300) }),
    );
  });
});
