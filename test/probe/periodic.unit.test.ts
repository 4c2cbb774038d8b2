import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startPeriodic } from '../../src/probe/periodic.js';
import { waitFor } from '../helpers/wait.js';

describe('readings in the background', () => {
  it('reads at once and again, one at a time, and says how old the last good one is and how long it took', async () => {
    let reads = 0;
    const p = startPeriodic({
      intervalMs: 5,
      timeoutMs: 1000,
      read: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    await p.ready;
    assert.equal(reads, 1, 'the first at once');
    await waitFor('three readings', () => p.health().samples >= 3);
    const h = p.health();
    assert.equal(h.ok, true);
    assert.equal(h.failures, 0);
    assert.ok(h.ageSeconds !== undefined && h.ageSeconds < 1);
    assert.ok(h.lastSeconds !== undefined && h.lastSeconds >= 0.019, String(h.lastSeconds));
    await p.stop();
    const after = reads;
    await new Promise((r) => setImmediate(r));
    assert.equal(reads, after, 'none after stop');
  });

  it('counts a failed reading, and skips rather than piles up behind one that hangs', async () => {
    const lines: string[] = [];
    let calls = 0;
    const p = startPeriodic({
      intervalMs: 5,
      timeoutMs: 30,
      stopWaitMs: 10,
      note: (l) => lines.push(l),
      read: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('no /proc'));
        return new Promise<void>(() => {}); // hangs for ever
      },
    });
    await p.ready;
    assert.equal(p.health().failures, 1);
    assert.equal(p.health().lastError, 'no /proc');
    assert.equal(p.health().ok, false, 'no good reading yet');
    await waitFor(
      'a timeout and a skipped reading',
      () =>
        lines.some((l) => /took longer than/.test(l)) &&
        lines.some((l) => /has not finished yet: skipped/.test(l)),
    );
    assert.equal(calls, 2, 'the hung reading is never started twice');
    await p.stop();
  });
});
