import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../src/errors.js';
import { readCounters } from '../../src/kernel/counters.js';
import { readBootId, readSysctls } from '../../src/kernel/counters-sysctl.js';
import { openCounterSource } from '../../src/stats/source.js';

// A proc tree recorded by test/fixtures/regenerate-counters.sh stands in for /proc.
const current = fileURLToPath(new URL('../../../test/fixtures/counters/current', import.meta.url));
const old = fileURLToPath(new URL('../../../test/fixtures/counters/4.9-crafted', import.meta.url));

describe('readCounters on a fixture proc tree', () => {
  it('merges snmp, snmp6 and netstat under nstat names, in nstat order', () => {
    const s = readCounters({ procRoot: current });
    assert.equal(s.malformed, 0);
    assert.equal(s.warnings, undefined);
    const names = Object.keys(s.counters);
    assert.equal(names[0], 'IpForwarding');
    const firstIp6 = names.indexOf('Ip6InReceives');
    const firstExt = names.findIndex((n) => n.startsWith('TcpExt'));
    assert.ok(names.indexOf('TcpActiveOpens') < firstIp6 && firstIp6 < firstExt, 'snmp, snmp6, netstat');
    assert.equal(s.counters['TcpActiveOpens'], 6);
    assert.equal(s.sockstat['TCP']!['inuse'], 7);
    assert.equal(s.sockstat['TCP6']!['inuse'], 3, 'sockstat6 merged in');
    assert.equal(s.states, undefined, 'states only when asked');
  });

  it("counts sockets per state when asked, with the socket table's counter", async () => {
    const s = await (await openCounterSource({ procRoot: current, states: true })).sample();
    assert.equal(s.states!.ESTABLISHED, 8);
    assert.equal(s.states!.LISTEN, 2);
    assert.equal(s.states!.TIME_WAIT, 1);
    assert.equal(s.states!.CLOSE_WAIT, 0, 'every state present, zeros included');
    assert.equal(Object.keys(s.states!).length, 11);
    assert.deepEqual(s.counters, readCounters({ procRoot: current }).counters);
    assert.equal((await (await openCounterSource({ procRoot: current })).sample()).states, undefined);
  });

  it('reads the 4.9 layout, which has no socket table in the fixture', async () => {
    const s = readCounters({ procRoot: old });
    assert.equal(s.counters['TcpExtListenOverflows'], 17);
    assert.equal(s.counters['TcpExtTCPPrequeued'], 0);
    assert.equal(s.counters['MPTcpExtMPCurrEstab'], undefined);
    assert.equal(s.counters['IpOutTransmits'], undefined);
    await assert.rejects((await openCounterSource({ procRoot: old, states: true })).sample(), isUserError);
  });

  it('says which file is missing, in one line', () => {
    assert.throws(
      () => readCounters({ procRoot: '/nonexistent' }),
      (e: Error) => isUserError(e) && e.message === '/nonexistent/net/snmp: not found',
    );
  });

  it('reads /proc/PID/net for another namespace', () => {
    assert.throws(
      () => readCounters({ procRoot: current, pid: 4242 }),
      (e: Error) => e.message.startsWith(`${current}/4242/net/snmp`),
    );
  });
});

describe('readSysctls', () => {
  it('reads what the tree has and lists what it lacks', () => {
    const r = readSysctls(current);
    assert.equal(r.values['net.ipv4.tcp_syncookies'] !== undefined, true);
    assert.ok(Array.isArray(r.values['net.ipv4.ip_local_port_range']));
    assert.equal(typeof r.values['net.core.somaxconn'], 'number');
    assert.ok(r.missing.includes('net.ipv4.tcp_mem'), 'host-wide: absent in a namespace');
    assert.ok(!r.missing.includes('net.ipv4.tcp_fin_timeout'));
  });

  it('reads the boot id', () => {
    assert.match(readBootId(current), /^[0-9a-f-]{36}$/);
  });
});
