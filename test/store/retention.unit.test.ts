import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseLevel, MAX_POINTS, retentionOf } from '../../src/store/retention.js';

const H = 3_600_000;
const D = 24 * H;

describe('store retention', () => {
  it('keeps raw readings a day, minutes a week, hours the retention, none longer than it', () => {
    assert.deepEqual(retentionOf(7 * D), { raw: D, '1m': 7 * D, '1h': 7 * D });
    assert.deepEqual(retentionOf(30 * D), { raw: D, '1m': 7 * D, '1h': 30 * D });
    assert.deepEqual(retentionOf(12 * H), { raw: 12 * H, '1m': 12 * H, '1h': 12 * H });
  });

  it('answers a range with the finest level that reaches back as far and is not too long', () => {
    const now = 100 * D;
    // A week recorded every 10 s: raw for the last day only.
    const week = (from: number) => [
      {
        level: 'raw' as const,
        oldest: Math.max(from, now - D),
        points: Math.round((now - Math.max(from, now - D)) / 10_000),
      },
      { level: '1m' as const, oldest: from, points: Math.round((now - from) / 60_000) },
      { level: '1h' as const, oldest: from, points: Math.round((now - from) / H) },
    ];
    assert.equal(chooseLevel(week(now - H)), 'raw', 'the last hour');
    assert.equal(chooseLevel(week(now - 6 * H)), 'raw', '2,160 readings');
    assert.equal(chooseLevel(week(now - 12 * H)), '1m', '4,320 readings are too many');
    assert.equal(chooseLevel(week(now - 2 * D)), '1m', 'raw does not reach back two days');
    assert.equal(chooseLevel(week(now - 7 * D)), '1h', '10,080 minutes are too many');
    // Recorded for half an hour: nothing rolled up by the hour yet, raw answers the week.
    assert.equal(
      chooseLevel([
        { level: 'raw', oldest: now - H / 2, points: 180 },
        { level: '1m', oldest: now - H / 2 + 60_000, points: 29 },
        { level: '1h', points: 0 },
      ]),
      'raw',
    );
    assert.equal(chooseLevel([{ level: 'raw', points: 0 }]), 'raw', 'nothing at all');
    assert.equal(
      chooseLevel([
        { level: 'raw', oldest: 0, points: MAX_POINTS + 1 },
        { level: '1m', oldest: 0, points: MAX_POINTS + 1 },
      ]),
      '1m',
      'the coarsest when none fits',
    );
  });
});
