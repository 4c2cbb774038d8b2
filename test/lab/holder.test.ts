// Real kernel, as root: the holder makes every state over IPv4 and IPv6 in one private namespace, and
// `ss -tanpH` (iproute2, the reference) must show exactly the sockets meant, in the states meant, held
// by the holder's pid and fd or by nobody. Timers are the lab's (LAB_SYSCTLS): every state lasts >= 25 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyScenario, type Scenario, ssSockets } from '../../src/lab/apply.js';
import { isHeld, rowsOfItem } from '../../src/lab/match.js';
import { createNetns, type Netns } from '../../src/lab/netns.js';
import { everyState, type HoldItem, type StateKind } from '../../src/lab/scenario.js';
import type { SsSocket } from '../../src/lab/ss.js';
import { commOf } from '../helpers/comm.js';

/** What each kind must leave, written out independently of the holder: `role state owned|orphan`. */
const EXPECTED: Record<StateKind, string[]> = {
  listen: ['listener LISTEN owned'],
  established: ['client ESTABLISHED owned', 'server ESTABLISHED owned'],
  'time-wait': ['client TIME_WAIT none'],
  'close-wait': ['client FIN_WAIT2 owned', 'server CLOSE_WAIT owned'],
  'fin-wait-2': ['client FIN_WAIT2 none', 'server CLOSE_WAIT owned'],
  'syn-sent': ['client SYN_SENT owned'],
  'syn-recv': ['client ESTABLISHED owned', 'listener LISTEN owned', 'request SYN_RECV none'],
  // backlog 2: three children queued (backlog + 1), the first one's client half-closed; the fourth SYN dropped.
  'accept-queue': [
    'client ESTABLISHED owned',
    'client ESTABLISHED owned',
    'client FIN_WAIT2 owned',
    'client SYN_SENT owned',
    'listener LISTEN owned',
    'queued CLOSE_WAIT none',
    'queued ESTABLISHED none',
    'queued ESTABLISHED none',
  ],
  'fin-wait-1': ['client FIN_WAIT1 none', 'server CLOSE_WAIT owned'],
  'last-ack': ['client FIN_WAIT2 owned', 'server LAST_ACK none'],
  closing: ['client CLOSING none', 'server FIN_WAIT2 none'],
};

const ITEMS: HoldItem[] = everyState(30000).items;

describe('holder: every state over IPv4 and IPv6, checked with ss', () => {
  it('makes one item of each kind and family', () => {
    assert.equal(ITEMS.length, 2 * Object.keys(EXPECTED).length);
  });

  let ns: Netns;
  let scenario: Scenario;
  let rows: SsSocket[];
  before(async () => {
    ns = await createNetns('tcps-test');
    const t0 = Date.now();
    scenario = await applyScenario(ns, { items: ITEMS });
    rows = await ssSockets(ns);
    // A figure for the report: holder start-up, every item, and ss confirming them.
    console.log(`lab: ${ITEMS.length} items settled in ${Date.now() - t0} ms`);
  });
  after(async () => {
    await scenario?.stop();
    await ns?.dispose();
  });

  for (const item of ITEMS) {
    it(`${item.kind} over IPv${item.family}`, () => {
      const held = scenario.report.items.find((i) => i.port === item.port)!;
      assert.equal(held.kind, item.kind);
      const described = held.sockets.map((s) => `${s.role} ${s.state} ${s.owned ? 'owned' : 'none'}`).sort();
      assert.deepEqual(described, EXPECTED[item.kind as StateKind]);
      const mine = rowsOfItem(rows, item);
      assert.equal(
        mine.length,
        held.sockets.length,
        `ss rows on port ${item.port}:\n${JSON.stringify(mine)}`,
      );
      for (const h of held.sockets) {
        const matches = mine.filter((r) => isHeld(h, r, scenario.report.pid));
        assert.equal(matches.length, 1, `${JSON.stringify(h)} in ${JSON.stringify(mine)}`);
        assert.equal(matches[0]!.family, item.family);
        if (h.owned) assert.equal(matches[0]!.owners![0]!.command, commOf(scenario.report.pid));
      }
    });
  }

  it('fills the accept queue to backlog + 1 (Recv-Q 3 over Send-Q 2 on the listener)', () => {
    for (const family of [4, 6] as const) {
      const item = ITEMS.find((i) => i.kind === 'accept-queue' && i.family === family)!;
      const l = rowsOfItem(rows, item).find((r) => r.state === 'LISTEN')!;
      assert.deepEqual([l.recvQ, l.sendQ], [3, 2]);
    }
  });

  it('keeps the states (a second look a second later finds the same table)', async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const later = await ssSockets(ns);
    const key = (r: SsSocket) => JSON.stringify([r.state, r.local, r.remote, r.owners]);
    assert.deepEqual(later.map(key).sort(), rows.map(key).sort());
  });

  it('reports a holder failure as one line and leaves no process behind', async () => {
    const taken = ITEMS.find((i) => i.kind === 'listen' && i.family === 4)!;
    await assert.rejects(
      applyScenario(ns, { items: [{ kind: 'listen', family: 4, port: taken.port }] }),
      /^EnvironmentError: lab holder: bind\(127\.0\.0\.1:30000\): EADDRINUSE \(Address already in use\)$/,
    );
    assert.deepEqual(await ns.pids(), [scenario.report.pid]);
  });

  it('stop() ends the holder and its fds', async () => {
    await scenario.stop();
    assert.deepEqual(await ns.pids(), []);
    assert.ok((await ssSockets(ns)).every((r) => (r.owners ?? []).length === 0));
  });
});
