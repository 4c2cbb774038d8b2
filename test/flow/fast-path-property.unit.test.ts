/**
 * Property: the tracker's fast path (in-order segments between two ESTABLISHED ends, without the
 * machine's step()) reaches the same machines as step() alone, after every segment, on random
 * traffic: random simulated conversations, captured as they arrived, then duplicated, swapped and
 * thinned at random. Seeded as every random test (test/helpers/random.ts): TCPSCOPE_SEED=N replays one.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { readCaptureFile } from '../../src/capture/index.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { parseScript, simulate } from '../../src/sim/index.js';
import type { Tcb } from '../../src/tcp/index.js';
import { testSeed, withSeed } from '../helpers/random.js';
import { edit, edits, script } from './random-traffic.js';
import { capturedArrivals } from './sim-packets.js';
import { synthetic } from './synthetic.js';

/** A machine without its timers (the fast path arms none: the tracker fires only TIME_WAIT's, which it never touches). */
const bare = (t: Tcb) => ({ ...t, timers: undefined });

function run(
  packets: readonly WirePacket[],
  fastPath: boolean,
): { steps: unknown[]; conns: Conn[]; fast: number } {
  const conns: Conn[] = [];
  const t = new FlowTracker({ fastPath, onConn: (c) => conns.push(c) });
  const steps: unknown[] = [];
  for (const p of packets) {
    t.push(p);
    steps.push(t.machines().map((m) => ({ n: m.n, client: bare(m.client), server: bare(m.server) })));
  }
  t.finish();
  return { steps, conns, fast: t.stats.fast };
}

describe('tracker fast path', () => {
  it('reaches the same machines as step() on random conversations', () => {
    console.log(`fast-path property: seed ${testSeed()} (TCPSCOPE_SEED=${testSeed()} replays it)`);
    let fastTotal = 0;
    fc.assert(
      fc.property(script, edits, (text, how) => {
        const packets = edit(capturedArrivals(simulate(parseScript(text, 'random'))), how);
        const slow = run(packets, false);
        const fast = run(packets, true);
        fastTotal += fast.fast;
        assert.equal(slow.fast, 0);
        slow.steps.forEach((s, i) => {
          assert.deepEqual(fast.steps[i], s, `after segment ${i + 1} of ${packets.length}`);
        });
        assert.deepEqual(fast.conns, slow.conns);
      }),
      withSeed({ numRuns: 300 }),
    );
    assert.ok(fastTotal > 100, `the fast path was taken (${fastTotal} segments)`);
  });

  it('reaches the same machines as step() on random bulk transfers', () => {
    let fastTotal = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), edits, (s, how) => {
        const packets = edit(synthetic(6, 3, s), how);
        const slow = run(packets, false);
        const fast = run(packets, true);
        fastTotal += fast.fast;
        total += packets.length;
        slow.steps.forEach((st, i) => {
          assert.deepEqual(fast.steps[i], st, `after segment ${i + 1} of ${packets.length}`);
        });
        assert.deepEqual(fast.conns, slow.conns);
      }),
      withSeed({ numRuns: 40 }),
    );
    assert.ok(fastTotal > total / 3, `${fastTotal} of ${total} segments on the fast path`);
  });

  it('reaches the same machines as step() on the real captures of the fixtures', async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/capture');
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))) {
      const packets: WirePacket[] = [];
      await readCaptureFile(join(dir, name), (p) => packets.push(p));
      const slow = run(packets, false);
      const fast = run(packets, true);
      assert.ok(fast.fast > 0, `${name}: the fast path was taken`);
      assert.deepEqual(fast.steps, slow.steps, name);
      assert.deepEqual(fast.conns, slow.conns, name);
    }
  });
});
