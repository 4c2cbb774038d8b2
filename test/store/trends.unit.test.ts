import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  closeWaitGrowing,
  listenerChanges,
  nonDecreasingShare,
  type Point,
  slope,
  synRecvBursts,
  timeWaitPeak,
} from '../../src/store/trends.js';

const MIN = 60_000;
/** Deterministic noise in [-1, 1): the same series on every run. */
const noise = (i: number): number => (((i * 7919 + 104_729) % 2003) / 2003) * 2 - 1;
const series = (values: readonly number[], stepMs = MIN): Point[] =>
  values.map((value, i) => ({ time: i * stepMs, value }));

describe('store trend rules', () => {
  it('fits a least-squares slope', () => {
    assert.equal(slope(series([1, 2, 3, 4], 1000)), 1 / 1000);
    assert.equal(slope(series([5, 5, 5])), 0);
    assert.equal(nonDecreasingShare(series([1, 2, 2, 1, 3])), 0.75);
  });

  it('is loud on a steady CLOSE_WAIT rise, with its rate an hour', () => {
    // 3 to 41 over an hour, one reading a minute, a step down now and then.
    const values = Array.from({ length: 61 }, (_, i) => 3 + Math.round(i * 0.63) - (i % 10 === 5 ? 1 : 0));
    const t = closeWaitGrowing(series(values));
    assert.ok(t, 'found');
    assert.equal(t.rule, 'close-wait-growing');
    assert.equal(t.severity, 'warning');
    assert.ok(t.evidence['perHour']! > 35 && t.evidence['perHour']! < 40, String(t.evidence['perHour']));
    assert.match(t.title, /from 3 to 41/);
  });

  it('is quiet on a flat busy CLOSE_WAIT, a constant one, a short one and a falling one', () => {
    const busy = Array.from({ length: 360 }, (_, i) => 500 + Math.round(noise(i) * 40));
    assert.equal(closeWaitGrowing(series(busy, 10_000)), undefined, 'busy and flat');
    assert.equal(closeWaitGrowing(series(Array(60).fill(8))), undefined, 'constant');
    assert.equal(closeWaitGrowing(series([1, 2, 3, 4, 5])), undefined, 'too few readings to judge');
    assert.equal(
      closeWaitGrowing(series(Array.from({ length: 30 }, (_, i) => 60 - i))),
      undefined,
      'falling',
    );
    // Connections that pile up and are closed in batches: mostly rising steps, but no growth.
    const saw = Array.from({ length: 60 }, (_, i) => (i % 6) * 10);
    assert.equal(closeWaitGrowing(series(saw)), undefined, 'sawtooth');
  });

  it('names the TIME_WAIT peak standing above a busy median, not the busy level itself', () => {
    const busy = Array.from({ length: 100 }, (_, i) => 2100 + Math.round(noise(i) * 100));
    assert.equal(timeWaitPeak(series(busy)), undefined);
    busy[40] = 6000;
    const t = timeWaitPeak(series(busy));
    assert.equal(t?.from, 40 * MIN);
    assert.equal(t?.evidence['peak'], 6000);
  });

  it('finds SYN_RECV bursts as runs above the usual level', () => {
    const values = Array(60).fill(1) as number[];
    values.splice(10, 3, 50, 120, 40);
    values[30] = 25;
    const bursts = synRecvBursts(series(values));
    assert.deepEqual(
      bursts.map((b) => [b.from / MIN, b.to / MIN, b.evidence['peak']]),
      [
        [10, 12, 120],
        [30, 30, 25],
      ],
    );
    assert.deepEqual(synRecvBursts(series(Array(60).fill(8))), [], 'a steady handful is no burst');
  });

  it('says which listeners appeared and disappeared, and when', () => {
    const at = (time: number, ...ports: string[]) => ({ time, ports: new Set(ports) });
    const trends = listenerChanges([
      at(0, '22', '80'),
      at(1, '22', '80', '8080'),
      at(2, '22', '8080'),
      at(3, '22', '8080'),
    ]);
    assert.deepEqual(
      trends.map((t) => [t.rule, t.evidence['port'], t.from]),
      [
        ['listener-disappeared', 80, 2],
        ['listener-appeared', 8080, 1],
      ],
    );
    assert.deepEqual(listenerChanges([at(0, '22'), at(5, '22')]), []);
  });
});
