/**
 * A reading counted from the table's columns (no socket records) gives the rows a reading of the
 * records gives: on a namespace holding listeners, connections in several states, a full accept
 * queue (children without an inode, attributed to the listener's program), TIME_WAIT and orphans.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownerCarry } from '../../src/probe/owner-carry.js';
import { openProbe } from '../../src/probe/probe.js';
import { sampleRows } from '../../src/store/sample-rows.js';
import { holdInNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const sorted = (r: ReturnType<typeof sampleRows>): string[] =>
  r.counts.map((c) => `${c.kind} ${c.key} ${c.state} ${c.count}`).sort();

describe('a reading counted from columns', () => {
  const held = holdInNetns(['states', 'closewait', 'fullqueue']);

  it('gives the rows a reading of socket records gives', async () => {
    const probe = await openProbe({ netns: held.ns.name });
    try {
      const { full, lean } = await waitFor(
        'two readings of an unchanged table',
        async () => {
          const snap = await probe.snapshot({ owners: true });
          const carry = ownerCarry(1);
          carry.apply(snap.sockets, true);
          const table = await probe.lean();
          assert.ok(table, 'netlink reads the columns');
          const full = sampleRows({ time: 0, sockets: snap.sockets, top: 20, owners: true });
          const lean = sampleRows({
            time: 0,
            lean: { table, ownersOf: carry.ownersOf },
            top: 20,
            owners: false,
          });
          return full.total === lean.total ? { full, lean } : undefined;
        },
        { timeoutMs: 10_000, everyMs: 100 },
      );
      assert.ok(full.total > 10, String(full.total));
      const keys = new Set(full.counts.map((c) => c.key));
      assert.ok(
        [...keys].some((k) => k.startsWith('(queued) ')),
        [...keys].join(', '),
      );
      assert.ok(keys.has('(timewait)') && keys.has('(orphan)'), [...keys].join(', '));
      assert.deepEqual(sorted(lean), sorted(full));
    } finally {
      await probe.close();
    }
  });
});
