import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSs } from '../../src/lab/ss.js';

// Lines as iproute2 6.1 `ss -tanpH` prints them (recorded in a lab namespace).
const SAMPLE = [
  'LISTEN     3      2      127.0.0.1:30007   0.0.0.0:*     users:(("node",pid=10261,fd=26))',
  'CLOSE-WAIT 1      0      127.0.0.1:30007 127.0.0.1:46986                                 ',
  'SYN-SENT   0      1      127.0.0.1:46968 127.0.0.1:30005 users:(("node",pid=10261,fd=18))',
  'LISTEN     0      8          [::1]:30017      [::]:*     users:(("node",pid=10261,fd=39))',
  'TIME-WAIT  0      0          [::1]:49814     [::1]:30013                                 ',
  'ESTAB      0      0      [::ffff:127.0.0.1]:22 [::ffff:127.0.0.1]:5000 users:(("sshd",pid=1,fd=3),("a b",pid=2,fd=4))',
  'LISTEN     0      128                    *:80         *:*',
  'FIN-WAIT-1 0      1      127.0.0.1%lo:1 127.0.0.1:2',
].join('\n');

describe('parseSs', () => {
  const rows = parseSs(SAMPLE, true);

  it('reads states, queues and both ends', () => {
    assert.deepEqual(rows[0], {
      state: 'LISTEN',
      family: 4,
      local: { address: '127.0.0.1', port: 30007 },
      remote: { address: '0.0.0.0', port: 0 },
      recvQ: 3,
      sendQ: 2,
      owners: [{ command: 'node', pid: 10261, fd: 26 }],
    });
    assert.deepEqual(
      rows.map((r) => r.state),
      ['LISTEN', 'CLOSE_WAIT', 'SYN_SENT', 'LISTEN', 'TIME_WAIT', 'ESTABLISHED', 'LISTEN', 'FIN_WAIT1'],
    );
  });

  it('gives sockets without a process column no owners', () => {
    assert.deepEqual(rows[1]!.owners, []);
    assert.equal(parseSs(SAMPLE, false)[0]!.owners, undefined);
  });

  it('writes IPv6 bare, IPv4-mapped as a dotted quad, `*` as the wildcard, and drops zones', () => {
    assert.deepEqual(rows[3]!.local, { address: '::1', port: 30017 });
    assert.deepEqual(rows[3]!.remote, { address: '::', port: 0 });
    assert.equal(rows[3]!.family, 6);
    assert.deepEqual(rows[5]!.local, { address: '127.0.0.1', port: 22 });
    assert.equal(rows[5]!.family, 6);
    assert.equal(rows[5]!.mapped, true);
    assert.deepEqual(rows[5]!.owners, [
      { command: 'sshd', pid: 1, fd: 3 },
      { command: 'a b', pid: 2, fd: 4 },
    ]);
    assert.deepEqual(rows[6]!.local, { address: '::', port: 80 });
    assert.deepEqual(rows[7]!.local, { address: '127.0.0.1', port: 1 });
  });

  it('refuses a line it cannot read', () => {
    assert.throws(() => parseSs('BOGUS 0 0 1.2.3.4:1 1.2.3.4:2', false), /cannot read line: BOGUS/);
    assert.throws(() => parseSs('ESTAB 0 0 nohost:1 1.2.3.4:2', false), /cannot read address nohost:1/);
  });
});
