import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topValues } from '../../src/snapshot/aggregate.js';
import type { Socket } from '../../src/tcp/socket.js';

/** Sockets carrying only the key topValues reads here (the remote address). */
function socketsOf(keys: string[]): Socket[] {
  return keys.map((address) => ({ remote: { address, port: 0 } }) as unknown as Socket);
}

/** The order topValues promises: count descending, then keys in numeric-aware order, stable. */
function bySorting(keys: string[], n: number): [string, number][] {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const cmp = new Intl.Collator('en', { numeric: true }).compare;
  return [...counts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).slice(0, n);
}

describe('topValues', () => {
  it('gives the n first of the fully sorted keys, ties in numeric order', () => {
    let seed = 7;
    const rand = (m: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % m;
    };
    for (const [distinct, n] of [
      [1, 3],
      [5, 3],
      [50, 1],
      [500, 3],
      [3000, 20],
    ] as const) {
      const keys = Array.from({ length: distinct * 4 }, () => `→${rand(distinct) * 7}`);
      // Keys a numeric collation calls equal though they differ: the first seen stays first.
      keys.push('→007', '→7', '→07');
      const got = topValues(socketsOf(keys), (s) => s.remote.address, n);
      assert.deepEqual(got, bySorting(keys, n));
    }
  });

  it('gives nothing for n 0 or no sockets', () => {
    assert.deepEqual(
      topValues(socketsOf(['a', 'b']), (s) => s.remote.address, 0),
      [],
    );
    assert.deepEqual(
      topValues([], (s) => s.remote.address, 3),
      [],
    );
  });
});
