import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownerCarry } from '../../src/probe/owner-carry.js';
import type { Socket } from '../../src/tcp/socket.js';

const sock = (inode: number, pid?: number): Socket =>
  ({
    state: 'ESTABLISHED',
    inode,
    local: { address: '127.0.0.1', port: 80 },
    remote: { address: '127.0.0.1', port: 40000 + inode },
    ...(pid !== undefined ? { owners: [{ pid, command: `p${pid}`, fd: 3 }] } : {}),
  }) as unknown as Socket;

describe('owners carried by inode between lookups', () => {
  it('is due on the first reading and every N after', () => {
    const c = ownerCarry(3);
    assert.deepEqual(
      Array.from({ length: 7 }, () => c.due()),
      [true, false, false, true, false, false, true],
    );
    const every = ownerCarry(1);
    assert.deepEqual([every.due(), every.due()], [true, true]);
  });

  it('gives a reading without lookup the owners the last lookup found, by inode', () => {
    const c = ownerCarry(2);
    c.apply([sock(1, 100), sock(2, 200), sock(0, 300)], true);
    const later = [sock(2), sock(1), sock(3), sock(0)];
    c.apply(later, false);
    assert.deepEqual(
      later.map((s) => s.owners?.map((o) => o.pid)),
      [[200], [100], [], []],
      'socket 3 was born since, and inode 0 is never carried',
    );
    c.apply([sock(1)], true);
    const after = [sock(2)];
    c.apply(after, false);
    assert.deepEqual(after[0]!.owners, [], 'a new lookup replaces what was kept');
  });
});
