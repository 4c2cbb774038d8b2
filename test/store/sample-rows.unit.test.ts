import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CountPoint, OTHER, sampleRows } from '../../src/store/sample-rows.js';
import type { Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';

function sock(state: TcpState, lport: number, rport: number, cmd: string, pid: number): Socket {
  return {
    state,
    family: 4,
    local: { address: '127.0.0.1', port: lport },
    remote: { address: '127.0.0.1', port: rport },
    recvQ: 0,
    sendQ: 0,
    inode: lport * 100_000 + rport,
    uid: 0,
    owners: [{ pid, fd: 3, command: cmd, user: 'root' }],
  };
}

/** `kind`'s rows as { key: { state: count } }. */
function byKey(counts: readonly CountPoint[], kind: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of counts) {
    if (c.kind !== kind) continue;
    const row = out[c.key] ?? {};
    row[c.state] = c.count;
    out[c.key] = row;
  }
  return out;
}

describe('a reading as rows', () => {
  // A server on 80 and 443 with clients, a process per port; 30 client sockets on ephemeral ports;
  // a port no longer listening with 3 CLOSE_WAIT left on it.
  const sockets: Socket[] = [
    sock('LISTEN', 80, 0, 'nginx', 10),
    sock('LISTEN', 443, 0, 'nginx', 10),
    sock('LISTEN', 9999, 0, 'idle', 11),
    ...Array.from({ length: 5 }, (_, i) => sock('ESTABLISHED', 80, 40000 + i, 'nginx', 10)),
    ...Array.from({ length: 2 }, (_, i) => sock('TIME_WAIT', 443, 41000 + i, 'nginx', 10)),
    ...Array.from({ length: 30 }, (_, i) =>
      sock('ESTABLISHED', 50000 + i, 5432, `worker${i % 4}`, 100 + (i % 4)),
    ),
    ...Array.from({ length: 3 }, (_, i) => sock('CLOSE_WAIT', 7000, 42000 + i, 'leaky', 12)),
  ];

  it('counts per state, per port and per process, and says nothing of zeros', () => {
    const r = sampleRows({ time: 1000, sockets, top: 2, owners: true });
    assert.equal(r.total, 43);
    assert.deepEqual(byKey(r.counts, 'all'), {
      '': { ESTABLISHED: 35, TIME_WAIT: 2, CLOSE_WAIT: 3, LISTEN: 3 },
    });
    assert.deepEqual(byKey(r.counts, 'port'), {
      // Every listening port, even an idle one; then the top 2 others with two sockets or more.
      '80': { ESTABLISHED: 5, LISTEN: 1 },
      '443': { TIME_WAIT: 2, LISTEN: 1 },
      '9999': { LISTEN: 1 },
      '7000': { CLOSE_WAIT: 3 },
      // The 30 ephemeral ports of one socket each.
      [OTHER]: { ESTABLISHED: 30 },
    });
    assert.deepEqual(byKey(r.counts, 'process'), {
      'nginx[10]': { ESTABLISHED: 5, TIME_WAIT: 2, LISTEN: 2 },
      'worker0[100]': { ESTABLISHED: 8 },
      [OTHER]: { ESTABLISHED: 22, CLOSE_WAIT: 3, LISTEN: 1 },
    });
    assert.deepEqual(r.rates, [], 'no rates at the first reading');
    assert.equal(r.seconds, undefined);
  });

  it('bounds the rows whatever the table holds', () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      sock('ESTABLISHED', 1000 + (i % 500), 60000, `p${i % 300}`, i % 300),
    );
    const r = sampleRows({ time: 0, sockets: many, top: 20, owners: true });
    assert.equal(Object.keys(byKey(r.counts, 'port')).length, 21);
    assert.equal(Object.keys(byKey(r.counts, 'process')).length, 21);
    const sum = (kind: string) => r.counts.filter((c) => c.kind === kind).reduce((a, c) => a + c.count, 0);
    assert.equal(sum('port'), 5000, 'nothing lost into the fold');
    assert.equal(sum('process'), 5000);
  });

  it('keeps the 256 busiest listening ports, then the top N others, the rest folded', () => {
    // 300 listening ports, port 2000 + i holding i % 7 connections besides its listener.
    const table: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      table.push(sock('LISTEN', 2000 + i, 0, 'srv', 1));
      for (let k = 0; k < i % 7; k++) table.push(sock('ESTABLISHED', 2000 + i, 30000 + k, 'srv', 1));
    }
    const r = sampleRows({ time: 0, sockets: table, top: 5, owners: true });
    const ports = r.counts.filter((c) => c.kind === 'port');
    const keys = [...new Set(ports.map((c) => c.key))];
    const totalOf = (k: string) => ports.filter((c) => c.key === k).reduce((a, c) => a + c.count, 0);
    // Ranked by sockets, lowest port first among equals: the first 256 kept; of the rest, those with
    // two sockets or more compete for the top 5 (here one port of 2); the others are folded.
    const ranked = Array.from({ length: 300 }, (_, i) => ({ port: 2000 + i, n: (i % 7) + 1 })).sort(
      (a, b) => b.n - a.n || a.port - b.port,
    );
    const want = [
      ...ranked.slice(0, 256),
      ...ranked
        .slice(256)
        .filter((x) => x.n >= 2)
        .slice(0, 5),
    ].map((x) => String(x.port));
    assert.deepEqual(keys, [...want, OTHER]);
    assert.equal(want.length, 257);
    assert.deepEqual(keys.slice(0, 3), ['2006', '2013', '2020']);
    assert.equal(totalOf(keys[0]!), 7);
    assert.equal(
      ports.reduce((a, c) => a + c.count, 0),
      table.length,
      'nothing lost into the fold',
    );
  });

  it('keeps the transitions traced, per pair', () => {
    const transitions = new Map([
      ['ESTABLISHED>FIN_WAIT1', { from: 'ESTABLISHED', to: 'FIN_WAIT1', count: 12 }],
      ['SYN_SENT>ESTABLISHED', { from: 'SYN_SENT', to: 'ESTABLISHED', count: 0 }],
    ]);
    const r = sampleRows({ time: 0, sockets: [], top: 20, owners: false, transitions });
    assert.deepEqual(r.counts, [{ kind: 'transition', key: 'ESTABLISHED', state: 'FIN_WAIT1', count: 12 }]);
  });

  it('an empty table is a reading of zero sockets and no rows', () => {
    const r = sampleRows({ time: 0, sockets: [], top: 20, owners: false });
    assert.deepEqual([r.total, r.counts], [0, []]);
  });
});
