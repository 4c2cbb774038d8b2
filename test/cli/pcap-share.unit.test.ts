/**
 * `pcap`'s numbering of connections from several workers: numbers as one tracker gives them, and one
 * order of connections however the workers' messages interleave.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Numbering } from '../../src/cli/commands/pcap-share.js';
import { seededInts, testSeed } from '../helpers/random.js';

/** A worker's connection: the place of its first packet and of the packet that finished it. */
interface C {
  readonly ord: number;
  readonly done: number;
}

/** One worker's messages as it reads `total` places in batches of `every`: opens, progress, finished. */
function messages(conns: readonly C[], total: number, every: number) {
  const out: { opens: number[]; progress: number; items: [number, number, string][]; last: boolean }[] = [];
  for (let at = every - 1; ; at += every) {
    const progress = Math.min(at, total);
    const from = out.length ? out.at(-1)!.progress : -1;
    out.push({
      opens: conns.filter((c) => c.ord > from && c.ord <= progress).map((c) => c.ord),
      progress,
      items: conns
        .filter((c) => c.done > from && c.done <= progress)
        .sort((a, b) => a.done - b.done)
        .map((c) => [c.ord, c.done, `${c.ord}`]),
      last: progress === total,
    });
    if (progress === total) return out;
  }
}

describe('pcap threads: Numbering', () => {
  it('numbers by first packet and hands on in the same order whatever the interleaving of messages', () => {
    const seed = testSeed();
    const next = seededInts(seed);
    // Two workers sharing 400 places; the connections still open at the end finish at place 400.
    const total = 400;
    const parts: C[][] = [[], []];
    for (let ord = 0; ord < total; ord++) {
      if (next(3) !== 0) continue;
      const done = next(4) === 0 ? total : Math.min(total - 1, ord + next(60));
      parts[next(2)]!.push({ ord, done });
    }
    const all = parts.flat();
    const ordsSorted = all.map((c) => c.ord).sort((a, b) => a - b);
    const expected = [...all]
      .sort((a, b) => a.done - b.done || a.ord - b.ord)
      .map((c) => `${ordsSorted.indexOf(c.ord) + 1}:${c.ord}`);
    for (let round = 0; round < 50; round++) {
      const got: string[] = [];
      const numbering = new Numbering<string>(2, (n, item) => got.push(`${n}:${item}`));
      const queues = parts.map((p) => messages(p, total, 7 + next(40)));
      // Deliver the two workers' messages in a random interleaving, each worker's in its order.
      while (queues.some((q) => q.length)) {
        const w = queues[0]!.length && (queues[1]!.length === 0 || next(2) === 0) ? 0 : 1;
        const m = queues[w]!.shift()!;
        numbering.batch(w, m.opens, m.progress, 0, m.items);
        if (m.last) numbering.finish(w);
      }
      assert.equal(numbering.pending, 0);
      assert.deepEqual(got, expected, `seed ${seed}, round ${round}`);
    }
  });
});
