import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceLineWriter } from '../../src/render/trace-bytes.js';
import { itemJsonLine, itemLine } from '../../src/render/trace-text.js';
import { TCP_STATES } from '../../src/tcp/states.js';
import type { TraceItem, TraceOwner, TraceTransition } from '../../src/trace/types.js';

/** A small seeded generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OWNERS: TraceOwner[] = [
  { pid: 1, command: 'nginx', via: 'context' },
  { pid: 4_194_303, command: 'we"ird\\name\n', via: 'listener' },
  { pid: 77, command: 'café 中文', via: 'snapshot' },
  { pid: 5, via: 'context' },
];
const ADDRESSES = ['127.0.0.1', '10.0.0.254', '::1', '2001:db8::8a2e:370:7334', '::ffff:1.2.3.4'];

function transitions(seed: number, n: number): TraceItem[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const out: TraceItem[] = [];
  for (let i = 0; i < n; i++) {
    const t: TraceTransition = {
      kind: 'transition',
      timeMs: 1_764_000_000_000 + Math.floor(i / 3) + r(),
      family: r() < 0.5 ? 4 : 6,
      local: { address: pick(ADDRESSES), port: Math.floor(r() * 65536) },
      remote: { address: pick(ADDRESSES), port: r() < 0.1 ? 0 : Math.floor(r() * 65536) },
      from: pick(TCP_STATES),
      to: pick(TCP_STATES),
      source: r() < 0.8 ? 'kernel' : 'sampled',
    };
    if (r() < 0.2) {
      t.inferred = true;
      t.announced = 'CLOSE';
    }
    if (r() < 0.7) t.durationMs = pick([0, 1, 0.0005, 12.3456789, 99_999.9999, 3e6 * r(), r() * 1000, -0.25]);
    if (r() < 0.6) t.owner = pick(OWNERS);
    if (r() < 0.1) t.intervalMs = Math.floor(r() * 1000);
    if (r() < 0.8) t.skaddr = Math.floor(r() * 2 ** 48).toString(16);
    out.push(t);
    if (r() < 0.05)
      out.push({ kind: 'connect-error', timeMs: t.timeMs, error: { name: 'ECONNREFUSED', code: 111 } });
  }
  return out;
}

function written(items: readonly TraceItem[], json: boolean, chunkSize: number): string {
  const chunks: Buffer[] = [];
  const w = new TraceLineWriter((c) => chunks.push(Buffer.from(c)), json, chunkSize);
  for (const [k, i] of items.entries()) {
    w.write(i);
    if (k % 97 === 0) w.flush();
  }
  w.flush();
  return Buffer.concat(chunks).toString('utf8');
}

describe('trace lines written as bytes', () => {
  for (const seed of [1, 2, 3]) {
    it(`equals itemJsonLine and itemLine on random transitions and notes (seed ${seed})`, () => {
      const items = transitions(seed, 3000);
      for (const chunk of [4096, 600]) {
        assert.equal(written(items, true, chunk), items.map(itemJsonLine).join(''));
        assert.equal(written(items, false, chunk), items.map(itemLine).join(''));
      }
    });
  }

  it('hands over fresh chunks it never writes again', () => {
    const chunks: Uint8Array[] = [];
    const w = new TraceLineWriter((c) => chunks.push(c), true, 4096);
    for (const i of transitions(9, 200)) w.write(i);
    w.flush();
    const first = chunks.slice();
    const before = first.map((c) => Buffer.from(c).toString());
    for (const i of transitions(10, 200)) w.write(i);
    w.flush();
    assert.deepEqual(
      first.map((c) => Buffer.from(c).toString()),
      before,
    );
    assert.equal(before.join(''), transitions(9, 200).map(itemJsonLine).join(''));
  });
});
