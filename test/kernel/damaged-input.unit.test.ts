/**
 * The kernel readers' parsers on damaged input, fuzzed from their recorded fixtures: netlink dumps
 * (sock_diag datagrams), /proc/net/tcp{,6}, tracefs ring pages and their event records, trace text
 * lines and event formats, each with random bytes changed, cut or spliced, and plain random input.
 * None throws (but the one-line ParseError a format may give), none hangs, and each counts what it
 * skipped. Seeded as every random test; FUZZ_RUNS=N runs longer (bench/fuzz/run.sh).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { TcpscopeError } from '../../src/errors.js';
import { DiagParser } from '../../src/kernel/netlink/parse.js';
import { parseProcNetTcp } from '../../src/kernel/proc-net-tcp.js';
import {
  decodePage,
  type EventFormat,
  makeDecoder,
  parseEventFormat,
  parseHeaderPage,
  parseTraceText,
  type TraceEventName,
} from '../../src/kernel/tracefs/index.js';
import { ByteReader, OutOfBounds } from '../../src/net/byte-reader.js';
import { datagrams } from '../helpers/netlink-fixtures.js';
import { withSeed } from '../helpers/random.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const FIX = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const read = (p: string) => new Uint8Array(readFileSync(FIX + p));

/** Random damage to a copy of `bytes`: bytes changed, a range cut out, a range repeated, a tail cut. */
const damage = (inputs: readonly Uint8Array[]) =>
  fc
    .record({
      which: fc.nat(),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 32 }),
      cut: fc.option(fc.tuple(fc.nat(), fc.nat(64))),
      repeat: fc.option(fc.tuple(fc.nat(), fc.nat(64))),
      tail: fc.option(fc.nat()),
    })
    .map(({ which, edits, cut, repeat, tail }) => {
      let b = inputs[which % inputs.length]!.slice();
      for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
      if (cut && b.length > 0) {
        const at = cut[0] % b.length;
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + cut[1])]);
      }
      if (repeat && b.length > 0) {
        const at = repeat[0] % b.length;
        const piece = b.subarray(at, at + repeat[1]);
        b = Uint8Array.from([...b.subarray(0, at), ...piece, ...b.subarray(at)]);
      }
      if (tail && b.length > 0) b = b.subarray(0, tail % (b.length + 1));
      return b;
    });

const anyBytes = fc.uint8Array({ maxLength: 9000 });

describe('kernel readers on damaged input', () => {
  it('netlink: DiagParser counts a bad datagram and goes on, never throws', () => {
    const dgrams = ['tcp4.dgrams', 'tcp46.dgrams'].flatMap((f) => datagrams(f));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(damage(dgrams), anyBytes), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (ds, info) => {
          const p = new DiagParser({ littleEndian: true, info, memory: info });
          for (const d of ds) p.feed(d);
          assert.ok(p.sockets.length <= ds.reduce((n, d) => n + d.length, 0) / 16, 'no socket from nothing');
          for (const s of p.sockets) assert.ok(s.local.port >= 0 && s.local.port <= 65535);
        },
      ),
      withSeed({ numRuns: RUNS }),
    );
  });

  it('/proc/net/tcp: a bad line is counted and skipped, never throws', () => {
    const texts = ['procfs/tcp', 'procfs/tcp6', 'procfs/tcp.malformed', 'procfs/tcp.be'].map(read);
    fc.assert(
      fc.property(
        fc.oneof(damage(texts), anyBytes),
        fc.constantFrom<4 | 6>(4, 6),
        fc.boolean(),
        (b, family, le) => {
          const r = parseProcNetTcp(b, family, { littleEndian: le });
          const lines = b.reduce((n, c) => n + (c === 10 ? 1 : 0), 0) + 1;
          assert.ok(r.sockets.length + r.malformed <= lines, 'at most one result a line');
        },
      ),
      withSeed({ numRuns: RUNS }),
    );
  });

  it('tracefs: ring pages and their records decode or count an error, never throw', () => {
    const dir = 'tracefs/';
    const formats = new Map<number, [TraceEventName, EventFormat]>();
    for (const f of readdirSync(FIX + dir).filter((n) => n.endsWith('.format'))) {
      const [sys, name] = f.replace('.format', '').split('-') as [string, TraceEventName];
      const fmt = parseEventFormat(sys, readFileSync(FIX + dir + f, 'utf8'));
      formats.set(fmt.id, [name, fmt]);
    }
    const decoders = new Map([...formats].map(([id, [name, fmt]]) => [id, makeDecoder(name, fmt)]));
    const header = parseHeaderPage(readFileSync(`${FIX}${dir}header_page`, 'utf8'));
    const pages: Uint8Array[] = [];
    for (const f of ['raw-cpu0.bin', 'raw-cpu1.bin']) {
      const b = read(dir + f);
      for (let off = 0; off + 4096 <= b.length; off += 4096) pages.push(b.subarray(off, off + 4096));
    }
    fc.assert(
      fc.property(fc.oneof(damage(pages), fc.uint8Array({ minLength: 16, maxLength: 4096 })), (p) => {
        const page = decodePage(new ByteReader(p), header);
        assert.ok(page.records.length <= p.length / 4);
        for (const r of page.records) {
          if (r.data.length < 2) continue;
          // A record shorter than its format is read past its end: the reader counts it as bad.
          try {
            decoders.get(r.data.u16At(0, true))?.(r.data, { ns: r.ts, timeMs: r.ts / 1e6, cpu: 0 });
          } catch (e) {
            assert.ok(e instanceof OutOfBounds, String(e));
          }
        }
      }),
      withSeed({ numRuns: RUNS }),
    );
  });

  it('tracefs: text lines and event formats, damaged, parse or say so in one line', () => {
    const text = [read('tracefs/trace.txt'), read('tracefs/older-kernels.txt')];
    const fmts = readdirSync(`${FIX}tracefs`)
      .filter((n) => n.endsWith('.format'))
      .map((f) => read(`tracefs/${f}`));
    const dec = new TextDecoder();
    fc.assert(
      fc.property(damage(text), (b) => {
        const r = parseTraceText(dec.decode(b));
        assert.ok(r.events.length <= b.length);
      }),
      withSeed({ numRuns: RUNS }),
    );
    fc.assert(
      fc.property(damage(fmts), (b) => {
        try {
          const fmt = parseEventFormat('sock', dec.decode(b));
          try {
            makeDecoder('inet_sock_set_state', fmt);
          } catch (e) {
            assert.ok(e instanceof TcpscopeError, String(e));
          }
        } catch (e) {
          assert.ok(e instanceof TcpscopeError, String(e));
          assert.ok(!(e as Error).message.includes('\n'), 'one line');
        }
      }),
      withSeed({ numRuns: RUNS }),
    );
  });
});
