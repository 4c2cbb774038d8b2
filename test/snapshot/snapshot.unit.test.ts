import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrMatcher } from '../../src/net/ip.js';
import { countBy, countStates } from '../../src/snapshot/aggregate.js';
import { attribute } from '../../src/snapshot/attribute.js';
import { buildFilter } from '../../src/snapshot/filter.js';
import { buildOverview } from '../../src/snapshot/overview.js';
import { sortSockets } from '../../src/snapshot/sort.js';
import { groupSockets, parseWhoTarget, whoHolds } from '../../src/snapshot/who.js';
import type { Socket } from '../../src/tcp/socket.js';
import { parseStateList } from '../../src/tcp/state-names.js';
import type { TcpState } from '../../src/tcp/states.js';

function sock(state: TcpState, local: string, remote: string, inode = 0, pid?: number): Socket {
  const ep = (t: string) => {
    const i = t.lastIndexOf(':');
    return { address: t.slice(0, i), port: Number(t.slice(i + 1)) };
  };
  const s: Socket = {
    state,
    family: local.includes('.') ? 4 : 6,
    local: ep(local),
    remote: ep(remote),
    recvQ: 0,
    sendQ: 0,
    inode,
    uid: 0,
  };
  s.owners = pid === undefined ? [] : [{ pid, fd: 3, command: `cmd${pid}`, user: 'root' }];
  return s;
}

const table = (): Socket[] => [
  sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', 100, 10),
  sock('LISTEN', ':::80', ':::0', 101, 11),
  sock('LISTEN', '127.0.0.1:5432', '0.0.0.0:0', 102, 12),
  sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.9:40000', 103, 10),
  sock('ESTABLISHED', '10.0.0.1:80', '10.0.0.9:40001'), // not yet accepted
  sock('CLOSE_WAIT', '10.0.0.1:80', '10.0.0.8:40002'), // not accepted, client gone
  sock('SYN_RECV', '10.0.0.1:80', '10.0.0.7:40003'),
  sock('SYN_RECV', '::1:80', '::1:40004'),
  sock('TIME_WAIT', '10.0.0.1:80', '10.0.0.6:40005'),
  sock('FIN_WAIT2', '10.0.0.1:33000', '10.0.0.5:443'),
  sock('LAST_ACK', '10.0.0.1:80', '10.0.0.4:40006'),
  sock('ESTABLISHED', '10.0.0.1:33001', '10.0.0.5:443', 104, 13),
];

describe('attribute', () => {
  const t = table();
  attribute(t);
  it('names the listener (and its lowest pid) for requests and unaccepted children', () => {
    assert.deepEqual(t[4]!.attribution, { kind: 'queued', port: 80, pid: 10, command: 'cmd10' });
    assert.deepEqual(t[5]!.attribution, { kind: 'queued', port: 80, pid: 10, command: 'cmd10' });
    assert.deepEqual(t[6]!.attribution, { kind: 'request', port: 80, pid: 10, command: 'cmd10' });
    assert.deepEqual(
      t[7]!.attribution,
      { kind: 'request', port: 80, pid: 11, command: 'cmd11' },
      'same family first',
    );
  });
  it('calls closed connections orphans or timewait, and leaves owners alone', () => {
    assert.deepEqual(t[8]!.attribution, { kind: 'timewait' });
    assert.deepEqual(t[9]!.attribution, { kind: 'orphan' });
    assert.deepEqual(t[10]!.attribution, { kind: 'orphan' });
    assert.equal(t[3]!.attribution, undefined);
    assert.deepEqual(t[4]!.owners, []);
  });
});

describe('filters', () => {
  const t = table();
  attribute(t);
  const keep = (spec: Parameters<typeof buildFilter>[0]) => t.filter(buildFilter(spec)).length;
  it('combines states, ports, addresses, families and processes', () => {
    assert.equal(keep({}), t.length);
    assert.equal(keep({ states: parseStateList('bucket') }), 3);
    assert.equal(keep({ ports: [443] }), 2);
    assert.equal(keep({ sports: [80], states: parseStateList('!listen') }), 7);
    assert.equal(keep({ dst: cidrMatcher('10.0.0.8/31')! }), 3);
    assert.equal(keep({ family: 6 }), 2);
    assert.equal(keep({ pids: [10] }), 5, 'held by 10, or queued or requested on its listener');
    assert.equal(keep({ process: 'cmd1' }), 9);
  });
});

describe('counting', () => {
  const t = table();
  attribute(t);
  it('counts per state, only states present', () => {
    const c = countStates(t);
    assert.equal(c.total, 12);
    assert.deepEqual(c.states, {
      ESTABLISHED: 3,
      SYN_RECV: 2,
      TIME_WAIT: 1,
      FIN_WAIT2: 1,
      CLOSE_WAIT: 1,
      LAST_ACK: 1,
      LISTEN: 3,
    });
  });
  it('folds the rest into (other) after the top rows', () => {
    const r = countBy(t, 'peer', (s) => s.remote.address, 2);
    assert.equal(r.rows.length, 3);
    assert.deepEqual(r.rows[0], { key: '0.0.0.0', total: 2, states: { LISTEN: 2 } });
    assert.equal(r.rows[2]!.key, '(other)');
    assert.equal(r.rows[2]!.other, true);
    assert.equal(
      r.rows.reduce((n, row) => n + row.total, 0),
      t.length,
    );
  });
});

describe('who', () => {
  it('parses the ways users name a port', () => {
    assert.deepEqual(parseWhoTarget('8080'), { port: 8080 });
    assert.deepEqual(parseWhoTarget(':8080'), { port: 8080 });
    assert.deepEqual(parseWhoTarget('127.0.0.1:80'), { address: '127.0.0.1', port: 80 });
    assert.deepEqual(parseWhoTarget('[::0001]:80'), { address: '::1', port: 80 });
    for (const bad of [
      '',
      'x',
      '70000',
      'a:b',
      '1.2.3:80',
      '[::1]',
      ':',
      '0',
      ':0',
      '00',
      '127.0.0.1:0',
      '[::1]:0',
    ])
      assert.equal(parseWhoTarget(bad), undefined, bad);
  });
  it('groups by holding process, then the sockets nobody holds', () => {
    const t = table();
    attribute(t);
    const r = whoHolds(t, { port: 443 });
    assert.deepEqual(
      r.processes.map((p) => p.pid),
      [13],
    );
    assert.equal(r.unowned.length, 1);
    assert.equal(whoHolds(t, { port: 80 }).processes.length, 2);
    assert.equal(whoHolds(t, { port: 9 }).unowned.length, 0);
  });
  it('sums sockets up per state and attribution, with top local ends and peers', () => {
    const list: Socket[] = [];
    for (let i = 0; i < 6; i++)
      list.push(sock('TIME_WAIT', '10.0.0.1:80', `10.0.0.${i < 3 ? 2 : i < 5 ? 3 : 4}:${5000 + i}`));
    list.push(sock('TIME_WAIT', '10.0.0.1:80', '10.0.0.9:6000'));
    list.push(sock('LISTEN', '0.0.0.0:80', '0.0.0.0:0', 100, 10));
    attribute(list);
    const g = groupSockets(list);
    assert.deepEqual(
      g.map((x) => [x.state, x.count, x.attribution?.kind]),
      [
        ['TIME_WAIT', 7, 'timewait'],
        ['LISTEN', 1, undefined],
      ],
    );
    assert.deepEqual(
      g[0]!.locals.map(({ sample: _, ...l }) => l),
      [{ address: '10.0.0.1', port: 80, count: 7 }],
    );
    assert.equal(g[0]!.locals[0]!.sample, list[0]);
    assert.deepEqual(g[0]!.peers, [
      { address: '10.0.0.2', count: 3 },
      { address: '10.0.0.3', count: 2 },
      { address: '10.0.0.4', count: 1 },
    ]);
    assert.equal(g[0]!.peerCount, 4);
    // A listener's wildcard peer is no peer.
    assert.deepEqual(g[1]!.peers, []);
    assert.equal(g[1]!.peerCount, 0);
  });
});

describe('overview and sort', () => {
  it('lists listening ports with exposure and programs, and places states', () => {
    const t = table();
    attribute(t);
    const v = buildOverview({ time: 'now', source: 'procfs', sockets: t });
    assert.deepEqual(
      v.listening.map((l) => [l.port, l.exposure, l.programs]),
      [
        [80, 'all', ['cmd10[10]', 'cmd11[11]']],
        [5432, 'loopback', ['cmd12[12]']],
      ],
    );
    const est = v.places.find((p) => p.state === 'ESTABLISHED')!;
    assert.deepEqual(est.ports, [
      [':80', 2],
      ['→443', 1],
    ]);
  });
  it('sorts by several keys', () => {
    const t = sortSockets(table(), ['state', 'dport'], true);
    assert.deepEqual(
      t.slice(0, 3).map((s) => s.state),
      ['LISTEN', 'LISTEN', 'LISTEN'],
    );
    assert.equal(t.at(-1)!.state, 'ESTABLISHED');
    assert.equal(t.at(-1)!.remote.port, 443, 'ties broken by the next key, reversed');
  });
});
