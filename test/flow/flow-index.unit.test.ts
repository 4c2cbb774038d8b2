/**
 * The open flows' index finds, adds and removes flows exactly as a map keyed by the endpoints' text
 * would, including flows whose keys mix to the same number (chained) and as its table grows, over
 * random endpoints of both families, many of them sharing an address as a busy server's flows do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowIndex, type Indexed, type Listed, OpenFlows } from '../../src/flow/flow-index.js';
import { seededInts, testSeed } from '../helpers/random.js';

class F implements Indexed<F> {
  nextSame: F | undefined = undefined;
  constructor(
    readonly lo: string,
    readonly hi: string,
    readonly ports: number,
  ) {}
}

describe('flow index', () => {
  it('agrees with a map of the endpoints, chains included', () => {
    const rand = seededInts(testSeed());
    const addresses = [
      '127.0.0.1',
      '::1',
      '10.0.0.1',
      ...Array.from({ length: 300 }, (_, i) => `10.1.${i >> 8}.${i & 255}`),
    ];
    const index = new FlowIndex<F>();
    const model = new Map<string, F>();
    let chained = 0;
    for (let i = 0; i < 300_000; i++) {
      const lo = addresses[rand(addresses.length)]!;
      const hi = addresses[rand(3)]!;
      const ports = rand(65536) * 65536 + rand(4);
      const key = `${lo} ${hi} ${ports}`;
      const want = model.get(key);
      assert.equal(index.get(lo, hi, ports), want);
      if (want && rand(2) === 0) {
        index.delete(want);
        model.delete(key);
      } else if (!want) {
        const f = new F(lo, hi, ports);
        index.add(f);
        model.set(key, f);
        if (f.nextSame) chained++;
      }
      assert.equal(index.size, model.size);
    }
    for (const [key, f] of model) {
      assert.equal(index.get(f.lo, f.hi, f.ports), f, key);
      index.delete(f);
    }
    assert.equal(index.size, 0);
    assert.ok(chained > 0, 'some keys mixed to the same number, and were chained');
  });
});

class L implements Listed<L> {
  olderOpen: L | undefined = undefined;
  newerOpen: L | undefined = undefined;
  constructor(readonly n: number) {}
}

describe('open flows in the order they opened', () => {
  it('agree with a Set (insertion order) over random adds and removes, from the head, the tail and between', () => {
    const rand = seededInts(testSeed());
    const list = new OpenFlows<L>();
    const model = new Set<L>();
    let next = 0;
    for (let step = 0; step < 8_000; step++) {
      if (model.size === 0 || rand(3) > 0) {
        const f = new L(next++);
        list.add(f);
        model.add(f);
      } else {
        const all = [...model];
        const f = all[rand(4) === 0 ? 0 : rand(4) === 0 ? all.length - 1 : rand(all.length)]!;
        list.delete(f);
        model.delete(f);
      }
      assert.equal(list.size, model.size);
      assert.equal(list.oldest, model.values().next().value);
      if (step % 997 === 0) assert.deepEqual(list.toArray(), [...model]);
    }
    assert.deepEqual(list.toArray(), [...model]);
    const kept = list.toArray();
    list.clear();
    assert.equal(list.size, 0);
    assert.equal(list.oldest, undefined);
    assert.ok(kept.every((f) => f.olderOpen === undefined && f.newerOpen === undefined));
  });
});
