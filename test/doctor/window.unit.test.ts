/** The window: which sockets stayed through every snapshot, and counts that grow. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grows, historyOf, stayed, windowOf } from '../../src/doctor/window.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';
import { sock } from './_tables.js';

const snap = (sockets: Socket[], s: number): Snapshot => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
  source: 'netlink',
  sockets,
});

describe('the doctor window', () => {
  const a = sock('CLOSE_WAIT', '127.0.0.1', 80, '127.0.0.2', 40000, 7);
  const b = sock('CLOSE_WAIT', '127.0.0.1', 80, '127.0.0.2', 40001, 7);
  const q = (n: number) => sock('ESTABLISHED', '127.0.0.1', 81, '127.0.0.2', 40002, 7, { recvQ: n });

  it('a socket stays only when it is in every snapshot, in the same state', () => {
    const w = windowOf([snap([a, b, q(10)], 0), snap([a, q(20)], 1), snap([a, b, q(30)], 2)]);
    assert.equal(w.snapshots, 3);
    assert.equal(w.seconds, 2);
    assert.ok(stayed(w, a));
    assert.ok(!stayed(w, b), 'missing from the middle snapshot');
    assert.deepEqual(historyOf(w, q(30))?.recvQ, [10, 20, 30]);
    const moved = { ...a, state: 'LAST_ACK' as const };
    assert.ok(!stayed(w, moved), 'another state is another socket');
  });

  it('an ESTABLISHED socket is followed only while something is queued', () => {
    const w = windowOf([snap([q(10)], 0), snap([q(0)], 1), snap([q(10)], 2)]);
    assert.equal(historyOf(w, q(10)), undefined);
  });

  it('counts CLOSE_WAIT per process, earlier snapshots read without owners', () => {
    const bare = (s: Socket): Socket => {
      const { owners: _, ...rest } = s;
      return rest;
    };
    const w = windowOf([snap([bare(a)], 0), snap([bare(a), bare(b)], 1), snap([a, b], 2)]);
    assert.deepEqual(w.perProcess.get('7 CLOSE_WAIT'), [1, 2, 2]);
    assert.ok(grows([1, 2, 2]));
    assert.ok(!grows([2, 1, 3]));
    assert.ok(!grows([2, 2, 2]));
  });
});
