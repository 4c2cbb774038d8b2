/**
 * The probe against the real kernel: a namespace holding every state, read again and again through
 * one probe. Its snapshot and counts equal ss's in that namespace, one sock_diag socket serves every
 * read (overlapping ones too), the injected clock stamps the readings, the doctor gathers through
 * it, and what it reads equals what the one-shot readers (a socket per call) read.
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildConfig } from '../../src/doctor/config.js';
import { gather } from '../../src/doctor/gather.js';
import { openProbe } from '../../src/probe/probe.js';
import { countStates } from '../../src/snapshot/aggregate.js';
import { takeSnapshot } from '../../src/snapshot/take.js';
import { systemClock } from '../../src/stats/clock.js';
import { TCP_STATES, type TcpState } from '../../src/tcp/states.js';
import { holdInNetns } from '../helpers/netns.js';
import { socketKey, ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

const all = (states: Partial<Record<TcpState, number>>): Record<TcpState, number> =>
  Object.fromEntries(TCP_STATES.map((s) => [s, states[s] ?? 0])) as Record<TcpState, number>;

/** Sockets this process holds open (its sock_diag socket lives in the other namespace). */
function socketFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {}
  }
  return n;
}

describe('openProbe', { timeout: 60_000 }, () => {
  const held = holdInNetns(['states', 'closewait', 'fullqueue']);

  it("reads the namespace's table as ss does, again and again on one socket", async () => {
    const probe = await openProbe({ netns: held.ns.name, source: 'netlink' });
    try {
      assert.equal(probe.netns?.name, held.ns.name);
      await waitFor(
        'the probe and ss agree',
        async () => {
          const before = ssStateCounts(held.ns.name);
          const snap = await probe.snapshot();
          const counted = await probe.counts();
          const after = ssStateCounts(held.ns.name);
          const want = JSON.stringify(before);
          return (
            want === JSON.stringify(after) &&
            JSON.stringify(all(countStates(snap.sockets).states)) === want &&
            JSON.stringify(all(counted.states)) === want
          );
        },
        { timeoutMs: 20_000, everyMs: 100 },
      );
      for (let i = 0; i < 5; i++) await probe.snapshot({ owners: i % 2 === 0 });
      assert.equal(probe.socketsOpened, 1);
    } finally {
      await probe.close();
    }
  });

  it('lends its socket to overlapping reads one at a time, and closes it', async () => {
    const before = socketFds();
    const probe = await openProbe({ netns: held.ns.name, source: 'netlink' });
    const reads = await Promise.all([
      probe.snapshot({ owners: true }),
      probe.counts(),
      probe.listeners(),
      probe.snapshot({ info: true }),
    ]);
    assert.equal(probe.socketsOpened, 1);
    assert.equal(socketFds(), before + 1);
    const [withOwners, , listening, withInfo] = reads;
    assert.ok(withOwners.sockets.some((s) => (s.owners?.length ?? 0) > 0));
    assert.ok(listening.sockets.length > 0);
    assert.ok(listening.sockets.every((s) => s.state === 'LISTEN'));
    assert.ok(listening.sockets.some((s) => s.local.port === held.holder.ports['fullqueue']));
    assert.ok(withInfo.sockets.some((s) => s.info !== undefined));
    await probe.close();
    assert.equal(socketFds(), before);
    await assert.rejects(probe.snapshot(), /after close/);
  });

  it('reads what the one-shot readers read', async () => {
    const probe = await openProbe({ netns: held.ns.name });
    try {
      await waitFor('the same listeners and CLOSE_WAIT both ways', async () => {
        const keys = (ss: { sockets: Parameters<typeof socketKey>[0][] }) =>
          ss.sockets
            .filter((s) => s.state === 'LISTEN' || s.state === 'CLOSE_WAIT')
            .map(socketKey)
            .sort()
            .join('\n');
        const a = await probe.snapshot();
        const b = await takeSnapshot({ netns: held.ns.name });
        return keys(a) === keys(b) && a.source === b.source && a.netns?.inode === b.netns?.inode;
      });
    } finally {
      await probe.close();
    }
  });

  it("stamps readings with its clock, and reads the namespace's counters", async () => {
    const at = new Date('2030-01-02T03:04:05.000Z');
    const probe = await openProbe({ netns: held.ns.name, clock: { ...systemClock, wall: () => at } });
    try {
      assert.equal((await probe.snapshot()).time, at.toISOString());
      const c = probe.counters();
      assert.ok((c.counters['TcpActiveOpens'] ?? 0) > 0, 'the holder opened connections');
      assert.ok((c.counters['TcpCurrEstab'] ?? 0) > 0);
    } finally {
      await probe.close();
    }
  });

  it('gives the doctor its namespace, socket and counters', async () => {
    const probe = await openProbe({ netns: held.ns.name, source: 'netlink' });
    try {
      const { config } = buildConfig(undefined, []);
      const input = await gather({ probe, windowSeconds: 0, config, lang: 'en', trace: false });
      assert.equal(input.snapshot.netns?.inode, probe.netns?.inode);
      assert.ok(input.snapshot.sockets.some((s) => s.state === 'CLOSE_WAIT'));
      assert.ok((input.counters['TcpActiveOpens'] ?? 0) > 0);
      assert.equal(probe.socketsOpened, 1);
    } finally {
      await probe.close();
    }
  });
});
