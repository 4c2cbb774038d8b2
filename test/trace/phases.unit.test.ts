import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TcpState } from '../../src/tcp/states.js';
import { PhaseClock, type SeenSocket } from '../../src/trace/phases.js';
import type { TraceTransition } from '../../src/trace/types.js';

const SERVER = { address: '10.0.0.1', port: 80 };
const CLIENT = { address: '10.0.0.2', port: 40000 };

function tr(timeMs: number, from: TcpState, to: TcpState, local = SERVER, remote = CLIENT): TraceTransition {
  return { kind: 'transition', timeMs, family: 4, local, remote, from, to, source: 'kernel' };
}
const seen = (state: TcpState, local = SERVER, remote = CLIENT): SeenSocket => ({ state, local, remote });

describe('phases timed through socket tables', () => {
  it('times a request from the table it appeared in to its child’s event', () => {
    const c = new PhaseClock();
    assert.deepEqual(c.table(1000, []), []);
    assert.deepEqual(c.table(1100, [seen('SYN_RECV')]), []);
    c.transition(tr(1450, 'LISTEN', 'SYN_RECV'));
    assert.deepEqual(c.table(1500, []), [{ state: 'SYN_RECV', ms: 400, resolutionMs: 50 }]);
  });

  it('times a request that vanished with no child as never completed, after a second of grace', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.table(100, [seen('SYN_RECV')]);
    c.table(200, [seen('SYN_RECV')]);
    assert.deepEqual(c.table(300, []), []);
    assert.deepEqual(c.table(1200, []), []);
    assert.deepEqual(c.table(1300, []), [
      { state: 'SYN_RECV', ms: 200, resolutionMs: 100, incomplete: true },
    ]);
  });

  it('takes a hand-over whose event comes after a table that already showed its timewait socket', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.table(100, [seen('TIME_WAIT')]);
    // The event (at 40) is read after the table at 100.
    c.transition(tr(30, 'FIN_WAIT1', 'FIN_WAIT2'));
    c.transition(tr(40, 'FIN_WAIT2', 'CLOSE'));
    assert.deepEqual(c.table(200, [seen('TIME_WAIT')]), []);
    assert.deepEqual(c.table(300, []), [{ state: 'TIME_WAIT', ms: 180, resolutionMs: 80 }]);
  });

  it('leaves requests of the first table untimed: they began at no known time', () => {
    const c = new PhaseClock();
    c.table(0, [seen('SYN_RECV')]);
    c.transition(tr(50, 'LISTEN', 'SYN_RECV'));
    assert.deepEqual(c.table(100, []), []);
    assert.deepEqual(c.table(200, []), []);
  });

  it('times an orphan’s FIN_WAIT2 from its event until it leaves the table', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.transition(tr(10, 'FIN_WAIT1', 'FIN_WAIT2'));
    c.transition(tr(20, 'FIN_WAIT2', 'CLOSE'));
    assert.deepEqual(c.table(100, [seen('FIN_WAIT2')]), []);
    assert.deepEqual(c.table(1000, [seen('FIN_WAIT2')]), []);
    assert.deepEqual(c.table(1100, []), [{ state: 'FIN_WAIT2', ms: 1040, resolutionMs: 50 }]);
  });

  it('times FIN_WAIT2 then TIME_WAIT when the peer’s FIN reaches the orphan', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.transition(tr(10, 'FIN_WAIT1', 'FIN_WAIT2'));
    c.transition(tr(20, 'FIN_WAIT2', 'CLOSE'));
    c.table(100, [seen('FIN_WAIT2')]);
    assert.deepEqual(c.table(300, [seen('TIME_WAIT')]), [{ state: 'FIN_WAIT2', ms: 190, resolutionMs: 100 }]);
    assert.deepEqual(c.table(60_300, [seen('TIME_WAIT')]), []);
    assert.deepEqual(c.table(60_400, []), [{ state: 'TIME_WAIT', ms: 60_150, resolutionMs: 150 }]);
  });

  it('does not time a FIN_WAIT2 first seen as TIME_WAIT (the FIN came at the hand-over or just after)', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.transition(tr(10, 'FIN_WAIT1', 'FIN_WAIT2'));
    c.transition(tr(10.2, 'FIN_WAIT2', 'CLOSE'));
    assert.deepEqual(c.table(100, [seen('TIME_WAIT')]), []);
    const [tw] = c.table(1100, []);
    assert.equal(tw?.state, 'TIME_WAIT');
    // Began within (10.2, 100], ended within (100, 1100].
    assert.ok(Math.abs(tw!.ms - (600 - (10.2 + 100) / 2)) < 1e-9);
  });

  it('times TIME_WAIT from an inferred CLOSING→CLOSE exactly at its start', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.transition({ ...tr(50, 'CLOSING', 'TIME_WAIT'), inferred: true, announced: 'CLOSE' });
    c.table(100, [seen('TIME_WAIT')]);
    assert.deepEqual(c.table(200, []), [{ state: 'TIME_WAIT', ms: 100, resolutionMs: 50 }]);
  });

  it('measures nothing for a timewait socket no table ever held (no bucket was free)', () => {
    const c = new PhaseClock();
    c.table(0, []);
    c.transition(tr(10, 'FIN_WAIT1', 'FIN_WAIT2'));
    c.transition(tr(20, 'FIN_WAIT2', 'CLOSE'));
    assert.deepEqual(c.table(100, []), []);
    assert.deepEqual(c.table(200, [seen('TIME_WAIT')]), []);
  });
});
