import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Agg, averageOf, bucketOf, coarsen } from '../../src/store/rollup.js';

const one = (time: number, kind: string, key: string, state: string, v: number): Agg => ({
  time,
  kind,
  key,
  state,
  n: 1,
  sum: v,
  min: v,
  max: v,
  last: v,
});

describe('store rollups', () => {
  it('puts times in the bucket that starts at or before them', () => {
    assert.equal(bucketOf(59_999, 60_000), 0);
    assert.equal(bucketOf(60_000, 60_000), 60_000);
    assert.equal(bucketOf(3_600_000 * 5 + 1, 3_600_000), 3_600_000 * 5);
  });

  it('averages a count over every reading of the bucket, a missing one counting zero', () => {
    // Six readings in the first minute; port 80 seen in four of them (not the last), 10 each time.
    const spans = [0, 10, 20, 30, 40, 50].map((s) => ({ time: s * 1000, n: 1 }));
    const aggs = [0, 10, 20, 30].map((s) => one(s * 1000, 'port', '80', 'ESTABLISHED', 10));
    aggs.push(...[0, 10, 20, 30, 40, 50].map((s, i) => one(s * 1000, 'all', '', 'ESTABLISHED', i)));
    const out = coarsen(aggs, spans, 60_000);
    assert.deepEqual(out.spans, [{ time: 0, n: 6 }]);
    const port = out.aggs.find((a) => a.key === '80')!;
    assert.deepEqual(port, {
      time: 0,
      kind: 'port',
      key: '80',
      state: 'ESTABLISHED',
      n: 6,
      sum: 40,
      min: 0,
      max: 10,
      last: 0,
    });
    assert.ok(Math.abs(averageOf(port) - 40 / 6) < 1e-9);
    const all = out.aggs.find((a) => a.kind === 'all')!;
    assert.deepEqual([all.min, all.max, all.last, averageOf(all)], [0, 5, 5, 2.5]);
  });

  it('averages rates over the readings that have them', () => {
    const spans = [0, 10, 20].map((s) => ({ time: s * 1000, n: 1 }));
    const out = coarsen(
      [one(10_000, 'rate', 'active/s', '', 4), one(20_000, 'rate', 'active/s', '', 2)],
      spans,
      60_000,
    );
    assert.equal(averageOf(out.aggs[0]!), 3);
    assert.equal(out.aggs[0]!.min, 2);
  });

  it('rolls minutes into hours as it rolls readings into minutes', () => {
    // 120 readings every 30 s over two hours, the count rising by one each reading.
    const readings = Array.from({ length: 240 }, (_, i) => i * 30_000);
    const raw = readings.map((t, i) => one(t, 'all', '', 'CLOSE_WAIT', i));
    const minute = coarsen(
      raw,
      readings.map((time) => ({ time, n: 1 })),
      60_000,
    );
    assert.equal(minute.aggs.length, 120);
    const hour = coarsen(minute.aggs, minute.spans, 3_600_000);
    const direct = coarsen(
      raw,
      readings.map((time) => ({ time, n: 1 })),
      3_600_000,
    );
    const sorted = (a: Agg[]) => [...a].sort((x, y) => x.time - y.time);
    assert.deepEqual(sorted(hour.aggs), sorted(direct.aggs), 'two steps give what one step gives');
    assert.deepEqual(hour.spans, [
      { time: 0, n: 120 },
      { time: 3_600_000, n: 120 },
    ]);
    const [h0, h1] = sorted(hour.aggs);
    assert.deepEqual([h0!.min, h0!.max, h0!.last, averageOf(h0!)], [0, 119, 119, 59.5]);
    assert.deepEqual([h1!.min, h1!.max, h1!.last], [120, 239, 239]);
  });

  it('a key absent from whole minutes of the hour has a minimum of zero there', () => {
    const spans = [
      { time: 0, n: 6 },
      { time: 60_000, n: 6 },
    ];
    const minute: Agg = {
      time: 0,
      kind: 'process',
      key: 'nginx[1]',
      state: 'LISTEN',
      n: 6,
      sum: 6,
      min: 1,
      max: 1,
      last: 1,
    };
    const out = coarsen([minute], spans, 3_600_000);
    assert.deepEqual(
      { n: out.aggs[0]!.n, min: out.aggs[0]!.min, last: out.aggs[0]!.last, avg: averageOf(out.aggs[0]!) },
      { n: 12, min: 0, last: 0, avg: 0.5 },
    );
  });
});
