import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nstatNames, parseNetstat, parseSnmp } from '../../src/kernel/counters-parse-snmp.js';
import { parseSnmp6 } from '../../src/kernel/counters-parse-snmp6.js';
import { parseSockstat } from '../../src/kernel/counters-parse-sockstat.js';
import { parseSysctlValue } from '../../src/kernel/counters-parse-sysctl.js';

// Recorded (current/) and crafted (4.9-crafted/) by test/fixtures/regenerate-counters.sh.
const root = fileURLToPath(new URL('../../../test/fixtures/counters/', import.meta.url));
const text = (layout: string, file: string): string => readFileSync(`${root}${layout}/net/${file}`, 'latin1');

/** The names of a header line, as the kernel printed them. */
function headerNames(file: string, table: string): string[] {
  const line = file.split('\n').find((l) => l.startsWith(`${table}:`))!;
  return line
    .slice(table.length + 1)
    .trim()
    .split(/\s+/);
}

describe('parseSnmp on a recorded file (this kernel, a fresh namespace after known traffic)', () => {
  const file = text('current', 'snmp');
  const r = parseSnmp(file);

  it('reads the Tcp table the regenerate script produced: 6 connects, 5 accepted, 1 refused', () => {
    assert.equal(r.malformed, 0);
    const tcp = r.value['Tcp']!;
    assert.equal(tcp['ActiveOpens'], 6);
    assert.equal(tcp['PassiveOpens'], 5);
    assert.equal(tcp['AttemptFails'], 1);
    assert.equal(tcp['OutRsts'], 1, 'the RST answering the SYN to the closed port');
    assert.equal(tcp['CurrEstab'], 8, 'four held connections, both ends');
    assert.equal(tcp['MaxConn'], -1, 'signed values');
  });

  it('keeps every field of every table, in the kernel order', () => {
    // IcmpMsg is printed only once some ICMP type was counted: tables come and go too.
    const tables = file
      .split('\n')
      .filter((_, i) => i % 2 === 0)
      .filter((l) => l !== '')
      .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(Object.keys(r.value), tables);
    for (const table of tables)
      assert.deepEqual(Object.keys(r.value[table]!), headerNames(file, table), table);
  });
});

describe('parseNetstat on two kernel layouts', () => {
  const current = parseNetstat(text('current', 'netstat'));
  const old = parseNetstat(text('4.9-crafted', 'netstat'));

  it('reads every field of both, unknown ones included', () => {
    assert.equal(current.malformed, 0);
    assert.equal(old.malformed, 0);
    assert.deepEqual(Object.keys(old.value), ['TcpExt', 'IpExt'], 'no MPTcpExt before 5.6');
    assert.deepEqual(
      Object.keys(old.value['TcpExt']!),
      headerNames(text('4.9-crafted', 'netstat'), 'TcpExt'),
    );
    assert.deepEqual(
      Object.keys(current.value['TcpExt']!),
      headerNames(text('current', 'netstat'), 'TcpExt'),
    );
  });

  it('has fields present in one layout and absent in the other', () => {
    const oldExt = old.value['TcpExt']!;
    assert.equal(oldExt['TCPPrequeued'], 0, 'removed in 4.14, still read');
    assert.equal(oldExt['TCPMigrateReqSuccess'], undefined);
    assert.equal(oldExt['ListenOverflows'], 17);
    assert.equal(oldExt['ListenDrops'], 19);
    assert.equal(oldExt['SyncookiesSent'], 5);
    assert.equal(current.value['TcpExt']!['TCPPrequeued'], undefined);
    assert.equal(current.value['TcpExt']!['ListenOverflows'], 0);
    assert.equal(old.value['IpExt']!['InOctets'], 90000);
  });
});

describe('parseSnmp on damaged input', () => {
  it('counts and skips a bad pair, keeps the others', () => {
    const r = parseSnmp(
      [
        'Ip: Forwarding DefaultTTL',
        'Ip: 1 64',
        'Tcp: ActiveOpens PassiveOpens',
        'Tcp: 3',
        'Udp: InDatagrams',
        'Udp: x',
        'Lonely: A B',
        'Other: 1 2',
        'TcpExt: ListenOverflows',
        'TcpExt: 9',
        '',
      ].join('\n'),
    );
    assert.deepEqual(r.value, { Ip: { Forwarding: 1, DefaultTTL: 64 }, TcpExt: { ListenOverflows: 9 } });
    assert.equal(r.malformed, 4);
    assert.equal(r.firstError, 'line 4: table Tcp: 2 names but 1 values');
  });

  it('reads nothing from nothing', () => {
    assert.deepEqual(parseSnmp(''), { value: {}, malformed: 0 });
  });
});

describe('nstatNames', () => {
  it("joins the table's name to the field's, as nstat names them", () => {
    const names = nstatNames(parseSnmp(text('current', 'snmp')).value);
    assert.equal(names['TcpActiveOpens'], 6);
    assert.equal(names['IpForwarding'] !== undefined, true);
    assert.equal(Object.keys(names)[0], 'IpForwarding');
    const ext = nstatNames(parseNetstat(text('4.9-crafted', 'netstat')).value);
    assert.equal(ext['TcpExtListenOverflows'], 17);
    assert.equal(ext['IpExtInOctets'], 90000);
  });
});

describe('parseSnmp6', () => {
  it('reads both layouts, names as they are', () => {
    const cur = parseSnmp6(text('current', 'snmp6'));
    assert.equal(cur.malformed, 0);
    assert.ok(cur.value['Ip6InReceives']! > 0, 'the ::1 connection');
    assert.equal(Object.keys(cur.value).length, text('current', 'snmp6').trim().split('\n').length);
    const old = parseSnmp6(text('4.9-crafted', 'snmp6'));
    assert.equal(old.value['Icmp6OutType133'], 4);
    assert.equal(old.value['Ip6OutTransmits'], undefined);
  });

  it('counts and skips bad lines', () => {
    const r = parseSnmp6('Ip6InReceives 5\nGarbage\nIp6OutRequests\t7\nIcmp6 x\n');
    assert.deepEqual(r.value, { Ip6InReceives: 5, Ip6OutRequests: 7 });
    assert.equal(r.malformed, 2);
    assert.equal(r.firstError, 'line 2: expected a name and an integer');
  });
});

describe('parseSockstat', () => {
  it('reads sockstat as the regenerate script left it', () => {
    const r = parseSockstat(text('current', 'sockstat'));
    assert.equal(r.malformed, 0);
    assert.equal(r.value['TCP']!['inuse'], 7, 'a listener and three pairs over IPv4');
    assert.equal(r.value['TCP']!['tw'], 1);
    assert.equal(r.value['sockets']!['used'], 10);
    assert.deepEqual(Object.keys(r.value['FRAG']!), ['inuse', 'memory']);
    const six = parseSockstat(text('current', 'sockstat6'));
    assert.equal(six.value['TCP6']!['inuse'], 3, 'a listener and one pair over IPv6');
  });

  it('reads the 4.9 layout and keeps unknown tables', () => {
    const r = parseSockstat(`${text('4.9-crafted', 'sockstat')}NEWPROTO: inuse 4 shiny 2\n`);
    assert.deepEqual(r.value['TCP'], { inuse: 9, orphan: 1, tw: 4, alloc: 12, mem: 3 });
    assert.deepEqual(r.value['NEWPROTO'], { inuse: 4, shiny: 2 });
  });

  it('counts and skips bad lines', () => {
    const r = parseSockstat('TCP: inuse 1 orphan\nsockets used 3\nUDP: inuse x\nRAW: inuse 0\n');
    assert.deepEqual(r.value, { RAW: { inuse: 0 } });
    assert.equal(r.malformed, 3);
  });
});

describe('parseSysctlValue', () => {
  it('reads one number, several, or text', () => {
    assert.equal(parseSysctlValue('1\n'), 1);
    assert.deepEqual(parseSysctlValue('32768\t60999\n'), [32768, 60999]);
    assert.deepEqual(parseSysctlValue('287898\t383867\t575796\n'), [287898, 383867, 575796]);
    assert.equal(parseSysctlValue('cubic reno\n'), 'cubic reno');
    assert.equal(parseSysctlValue('-1'), -1);
  });
});
