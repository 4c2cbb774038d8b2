import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CounterSample } from '../../src/kernel/counters-types.js';
import type { Clock } from '../../src/stats/clock.js';
import { intervalBetween, sampleCounters } from '../../src/stats/sampler.js';

/** A clock that advances only when slept on, plus `lag` ms per read (a slow read). */
function fakeClock(lag = 0): Clock & { slept: number[]; t: number; lag: number } {
  const c = {
    t: 1000,
    lag,
    slept: [] as number[],
    now: () => c.t,
    wall: () => new Date(Date.UTC(2024, 0, 1) + c.t),
    sleep: async (ms: number, signal?: AbortSignal) => {
      c.slept.push(ms);
      if (!signal?.aborted) c.t += ms;
    },
  };
  return c;
}

/** Readings where TcpActiveOpens grows by `step` each read. */
function reader(clock: { t: number; lag: number }, step: number): () => CounterSample {
  let n = 0;
  return () => {
    const v = n * step;
    n++;
    clock.t += clock.lag;
    return {
      counters: { TcpActiveOpens: v, TcpCurrEstab: 7 },
      sockstat: { TCP: { inuse: 3 + n } },
      malformed: 0,
    };
  };
}

describe('sampleCounters', () => {
  it('yields count intervals with deltas and rates over the elapsed time', async () => {
    const clock = fakeClock();
    const out = [];
    for await (const iv of sampleCounters({ intervalMs: 2000, count: 3, clock, read: reader(clock, 10) }))
      out.push(iv);
    assert.equal(out.length, 3);
    for (const iv of out) {
      assert.equal(iv.seconds, 2);
      assert.equal(iv.delta['TcpActiveOpens'], 10);
      assert.equal(iv.rates['TcpActiveOpens'], 5);
      assert.equal(iv.delta['TcpCurrEstab'], 7, 'a gauge is not a delta');
      assert.equal(iv.rates['TcpCurrEstab'], undefined);
    }
    assert.equal(out[1]!.start.getTime(), out[0]!.end.getTime(), 'intervals follow each other');
    assert.equal(out[2]!.sample.sockstat['TCP']!['inuse'], 7, 'levels from the end of the interval');
  });

  it('schedules from the first sample so slow reads do not drift', async () => {
    const clock = fakeClock(300);
    const out = [];
    for await (const iv of sampleCounters({ intervalMs: 1000, count: 3, clock, read: reader(clock, 1) }))
      out.push(iv);
    // Each read takes 300 ms: the sleeps shrink to keep reads starting at origin + k * 1000.
    assert.deepEqual(clock.slept, [700, 700, 700]);
    assert.deepEqual(
      out.map((iv) => iv.seconds),
      [1, 1, 1],
    );
  });

  it('stops at once when aborted, without a partial interval', async () => {
    const clock = fakeClock();
    const stop = new AbortController();
    const out = [];
    for await (const iv of sampleCounters({
      intervalMs: 500,
      clock,
      read: reader(clock, 1),
      signal: stop.signal,
    })) {
      out.push(iv);
      if (out.length === 2) stop.abort();
    }
    assert.equal(out.length, 2);
  });

  it('rejects a non-positive interval', async () => {
    await assert.rejects(sampleCounters({ intervalMs: 0 }).next(), RangeError);
  });
});

describe('intervalBetween', () => {
  it('flags counters that went backwards', () => {
    const s = (v: number): CounterSample => ({ counters: { TcpOutRsts: v }, sockstat: {}, malformed: 0 });
    const iv = intervalBetween(
      { sample: s(9), time: new Date(0), mono: 0 },
      { sample: s(2), time: new Date(4000), mono: 4000 },
    );
    assert.deepEqual(iv.resets, ['TcpOutRsts']);
    assert.equal(iv.rates['TcpOutRsts'], 0);
    assert.equal(iv.seconds, 4);
  });
});
