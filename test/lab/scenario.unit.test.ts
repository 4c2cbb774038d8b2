import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHeld, missingHeld, rowsOfItem } from '../../src/lab/match.js';
import {
  type HeldSocket,
  type HolderReport,
  nftRuleset,
  parseHolderSpec,
  rulesFor,
  STATE_KINDS,
} from '../../src/lab/scenario.js';

describe('parseHolderSpec', () => {
  it('accepts every state kind over both families', () => {
    const items = STATE_KINDS.flatMap((kind, i) => [
      { kind, family: 4 as const, port: 30000 + i },
      { kind, family: 6 as const, port: 31000 + i },
    ]);
    assert.deepEqual(parseHolderSpec({ items }).items, items);
  });

  it('names the bad item', () => {
    const table: [unknown, RegExp][] = [
      [{}, /"items" must be a non-empty array/],
      [{ items: [] }, /non-empty/],
      [{ items: [{ kind: 'nope', family: 4, port: 1 }] }, /items\[0\]: kind must be one of listen, /],
      [{ items: [{ kind: 'listen', family: 5, port: 1 }] }, /family must be 4 or 6/],
      [{ items: [{ kind: 'listen', family: 4, port: 0 }] }, /bad port/],
      [
        {
          items: [
            { kind: 'listen', family: 4, port: 9 },
            { kind: 'listen', family: 6, port: 9 },
          ],
        },
        /items\[1\]: port 9 used twice/,
      ],
      [
        { items: [{ kind: 'listen', family: 4, port: 9, backlog: 1 }] },
        /backlog is for accept-queue and syn-flood only/,
      ],
      [{ items: [{ kind: 'accept-queue', family: 4, port: 9, backlog: 1000 }] }, /backlog must be 0 to 64/],
    ];
    for (const [spec, re] of table) assert.throws(() => parseHolderSpec(spec), re);
  });
});

describe('nft rules', () => {
  it('scopes every rule to its item port, on the input hook', () => {
    assert.deepEqual(rulesFor({ kind: 'syn-sent', family: 4, port: 7 }), ['tcp dport 7 drop']);
    assert.deepEqual(rulesFor({ kind: 'syn-recv', family: 6, port: 7 }), [
      'tcp dport 7 tcp flags & (fin | syn | rst | ack) == ack drop',
    ]);
    assert.equal(rulesFor({ kind: 'closing', family: 4, port: 7 }).length, 2);
    for (const kind of [
      'listen',
      'established',
      'time-wait',
      'close-wait',
      'fin-wait-2',
      'accept-queue',
    ] as const) {
      assert.deepEqual(rulesFor({ kind, family: 4, port: 7 }), [], kind);
    }
    const text = nftRuleset({ items: [{ kind: 'last-ack', family: 4, port: 30001 }] });
    assert.match(
      text,
      /^table inet tcpscope_lab \{\n {2}chain input \{\n {4}type filter hook input priority filter;/,
    );
    assert.match(text, /iif "lo" tcp sport 30001 tcp flags & fin == fin drop comment "last-ack 4 30001"/);
    assert.equal(nftRuleset({ items: [{ kind: 'listen', family: 4, port: 1 }] }), '');
  });
});

describe('matching held sockets with observed rows', () => {
  const a = { address: '127.0.0.1', port: 30000 };
  const b = { address: '127.0.0.1', port: 40000 };
  const mine: HeldSocket = { role: 'client', state: 'FIN_WAIT2', local: b, remote: a, fd: 9, owned: true };
  const orphan: HeldSocket = {
    role: 'server',
    state: 'LAST_ACK',
    local: a,
    remote: b,
    fd: null,
    owned: false,
  };
  const report: HolderReport = {
    pid: 42,
    items: [{ kind: 'last-ack', family: 4, port: 30000, sockets: [mine, orphan] }],
  };

  it('requires the state, both ends, and exactly the holder as owner or nobody', () => {
    const row = { state: 'FIN_WAIT2' as const, local: b, remote: a, owners: [{ pid: 42, fd: 9 }] };
    assert.ok(isHeld(mine, row, 42));
    assert.ok(!isHeld(mine, { ...row, state: 'TIME_WAIT' }, 42));
    assert.ok(!isHeld(mine, { ...row, owners: [{ pid: 42, fd: 8 }] }, 42));
    assert.ok(!isHeld(mine, { ...row, owners: [] }, 42));
    assert.ok(!isHeld(mine, { ...row, owners: [...row.owners, { pid: 43, fd: 9 }] }, 42));
    assert.ok(isHeld(orphan, { state: 'LAST_ACK', local: a, remote: b, owners: [] }, 42));
    assert.ok(!isHeld(orphan, { state: 'LAST_ACK', local: a, remote: b, owners: [{ pid: 42, fd: 1 }] }, 42));
  });

  it('lists what is missing and picks an item rows by port', () => {
    const rows = [
      { state: 'FIN_WAIT2' as const, local: b, remote: a, owners: [{ pid: 42, fd: 9 }] },
      { state: 'LISTEN' as const, local: { address: '::1', port: 1 }, remote: { address: '::', port: 0 } },
    ];
    assert.deepEqual(
      missingHeld(report, rows).map(([, h]) => h),
      [orphan],
    );
    assert.equal(rowsOfItem(rows, report.items[0]!).length, 1);
  });
});
