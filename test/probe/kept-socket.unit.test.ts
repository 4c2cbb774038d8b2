/**
 * The probe's kept sock_diag socket, with stand-in sockets: one read at a time in the order asked,
 * the socket opened once and reused, closed and replaced after a failed read, and closed only once
 * the reads already asked for are done.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeptSocket } from '../../src/probe/kept-socket.js';

interface Fake {
  fd: number;
  close(): void;
}

function fakes(): { open: () => Promise<Fake>; made: { id: number; closed: boolean }[] } {
  const made: { id: number; closed: boolean }[] = [];
  return {
    made,
    open: async () => {
      const s = { id: made.length, closed: false };
      made.push(s);
      return {
        fd: s.id,
        close: () => {
          s.closed = true;
        },
      };
    },
  };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('KeptSocket', () => {
  it('opens one socket and lends it to one read at a time, in the order asked', async () => {
    const f = fakes();
    const kept = new KeptSocket(f.open);
    const log: string[] = [];
    const read = (name: string, ms: number) =>
      kept.use(async (sock) => {
        log.push(`${name} start ${sock.fd}`);
        await tick(ms);
        log.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([read('a', 20), read('b', 1), read('c', 5)]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['a start 0', 'a end', 'b start 0', 'b end', 'c start 0', 'c end']);
    assert.equal(kept.opened, 1);
    assert.equal(f.made[0]!.closed, false);
    await kept.close();
    assert.equal(f.made[0]!.closed, true);
  });

  it('closes the socket after a failed read and opens a fresh one for the next', async () => {
    const f = fakes();
    const kept = new KeptSocket(f.open);
    await kept.use(() => 1);
    await assert.rejects(
      kept.use(() => {
        throw new Error('cut short');
      }),
      /cut short/,
    );
    assert.equal(f.made[0]!.closed, true);
    const fd = await kept.use((s) => s.fd);
    assert.equal(fd, 1);
    assert.equal(kept.opened, 2);
    await kept.close();
    assert.deepEqual(
      f.made.map((m) => m.closed),
      [true, true],
    );
  });

  it('waits for the reads already asked for before closing, and refuses reads after', async () => {
    const f = fakes();
    const kept = new KeptSocket(f.open);
    let done = false;
    const slow = kept.use(async () => {
      await tick(20);
      done = true;
    });
    await kept.close();
    assert.equal(done, true);
    await slow;
    assert.equal(f.made[0]!.closed, true);
    await assert.rejects(
      kept.use(() => 0),
      /after close/,
    );
  });

  it('a socket that cannot be opened fails the read, and the next read tries again', async () => {
    let tries = 0;
    const kept = new KeptSocket<Fake>(async () => {
      tries++;
      if (tries === 1) throw new Error('EPERM');
      return { fd: 7, close: () => {} };
    });
    await assert.rejects(
      kept.use(() => 0),
      /EPERM/,
    );
    assert.equal(await kept.use((s) => s.fd), 7);
    await kept.close();
  });
});
