import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration, parseMoment } from '../../src/store/time-parse.js';

describe('store time parsing', () => {
  it('reads durations with a unit, and bare numbers only where a unit is implied', () => {
    const table: [string, number][] = [
      ['7d', 7 * 86_400_000],
      ['12h', 12 * 3_600_000],
      ['30m', 1_800_000],
      ['45s', 45_000],
      ['2w', 14 * 86_400_000],
      ['1.5h', 5_400_000],
    ];
    for (const [text, ms] of table) assert.equal(parseDuration('--retain', text), ms, text);
    assert.equal(parseDuration('--duration', '90', 's'), 90_000);
    for (const bad of ['7', '', 'd', '-1d', '0h', '7 days', '1y'])
      assert.throws(() => parseDuration('--retain', bad), { code: 'EUSAGE' }, bad);
  });

  it('writes durations in the largest whole unit', () => {
    assert.equal(formatDuration(7 * 86_400_000), '1w');
    assert.equal(formatDuration(36 * 3_600_000), '36h');
    assert.equal(formatDuration(2 * 86_400_000), '2d');
    assert.equal(formatDuration(90 * 60_000), '90m');
  });

  it('reads moments: ISO 8601, a time of day (today, else yesterday), relative, now', () => {
    const now = new Date(2026, 2, 1, 12, 30, 0); // local time
    assert.equal(parseMoment('--at', 'now', now), now.getTime());
    assert.equal(parseMoment('--at', '-1h', now), now.getTime() - 3_600_000);
    assert.equal(parseMoment('--at', '-30m', now), now.getTime() - 1_800_000);
    assert.equal(parseMoment('--at', '03:00', now), new Date(2026, 2, 1, 3, 0, 0).getTime());
    // Still to come today: yesterday's.
    assert.equal(parseMoment('--at', '13:00', now), new Date(2026, 1, 28, 13, 0, 0).getTime());
    assert.equal(parseMoment('--at', '12:30:00', now), now.getTime());
    assert.equal(parseMoment('--at', '2026-02-27T03:00:00Z', now), Date.UTC(2026, 1, 27, 3));
    assert.equal(parseMoment('--at', '2026-02-27T03:00:00+02:00', now), Date.UTC(2026, 1, 27, 1));
    assert.equal(parseMoment('--at', '2026-02-27 03:00', now), new Date(2026, 1, 27, 3, 0).getTime());
    assert.equal(parseMoment('--at', '2026-02-27', now), new Date(2026, 1, 27).getTime());
    for (const bad of ['25:00', '12:60', 'yesterday', '-1y', '2026-13-45', '1h', ''])
      assert.throws(() => parseMoment('--at', bad, now), { code: 'EUSAGE' }, bad);
  });
});
