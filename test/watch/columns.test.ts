/**
 * The live view's columns (read straight from sock_diag) and the same table read as records agree
 * row for row, identity included (owner lookups read records, the refreshes between read columns:
 * a connection must keep its identity across both), and the view names the same processes, queued
 * children attributed to their listener's program, as the records' owners and attributions do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEndpoint } from '../../src/net/endpoint.js';
import { ownerCarry } from '../../src/probe/owner-carry.js';
import { openProbe } from '../../src/probe/probe.js';
import type { Socket } from '../../src/tcp/socket.js';
import { TCP_STATES } from '../../src/tcp/states.js';
import { applySample, createModel, listed } from '../../src/watch/model.js';
import { tableOf, type WatchTable } from '../../src/watch/table.js';
import { holdInNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const hex = (b: Uint8Array, i: number) => Buffer.from(b.subarray(i * 16, i * 16 + 16)).toString('hex');
const rows = (t: WatchTable): string[] =>
  Array.from(
    { length: t.n },
    (_, i) =>
      `${t.key[i]} ${t.state[i]} ${t.family[i]} ${t.lport[i]} ${t.rport[i]} ${hex(t.laddr, i)} ${hex(t.raddr, i)} ${t.inode[i]}`,
  ).sort();

/** What the view should call a record's process. */
function processOf(s: Socket): string {
  const o = s.owners?.[0];
  if (o) return `${o.command}[${o.pid}]`;
  const a = s.attribution;
  if (a) return a.command ? `(${a.kind} ${a.command})` : `(${a.kind})`;
  return '';
}

describe('the live view’s columns', () => {
  const held = holdInNetns(['states', 'closewait', 'fullqueue']);

  it('equal the records row for row, and name the same processes', async () => {
    const probe = await openProbe({ netns: held.ns.name });
    try {
      const { records, wide } = await waitFor(
        'two readings of an unchanged table',
        async () => {
          const snap = await probe.snapshot({ owners: true });
          const wide = await probe.wide();
          assert.ok(wide, 'netlink reads the columns');
          const records = tableOf(snap.sockets);
          return rows(records).join('\n') === rows(wide).join('\n') ? { records: snap, wide } : undefined;
        },
        { timeoutMs: 10_000, everyMs: 100 },
      );
      assert.ok(wide.n > 10, String(wide.n));
      const carry = ownerCarry(1);
      carry.apply(records.sockets, true);
      const m = createModel();
      applySample(m, { time: 0, table: wide, ownersOf: carry.ownersOf });
      const expected: string[] = [];
      const got: string[] = [];
      for (const st of TCP_STATES) {
        m.selected = st;
        for (const c of listed(m)) got.push(`${st} ${c.local} ${c.remote} ${c.process}`);
      }
      for (const s of records.sockets) {
        const remote = s.state === 'LISTEN' ? '*' : formatEndpoint(s.remote.address, s.remote.port);
        expected.push(
          `${s.state} ${formatEndpoint(s.local.address, s.local.port)} ${remote} ${processOf(s)}`,
        );
      }
      assert.deepEqual(got.sort(), expected.sort());
      assert.ok(
        got.some((l) => l.includes('(queued ')),
        got.join('\n'),
      );
      // The same table as records keeps every connection's identity: nothing new, changed or closed.
      applySample(m, { time: 1, sockets: records.sockets });
      assert.equal(m.closed.length, 0);
      assert.ok(m.views.every((c) => c.seenAt === 0 && c.changedAt === undefined));
    } finally {
      await probe.close();
    }
  });
});
