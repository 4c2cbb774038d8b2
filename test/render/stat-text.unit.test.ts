import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderNstat, renderSysctls } from '../../src/render/counters-text.js';
import { clockLabel, renderSarBlock, renderSarTitle, sarJsonRow } from '../../src/render/stat-text.js';

describe('renderSarBlock', () => {
  it('lays a view out like sar: start time over the header, end time before the values', () => {
    const text = renderSarBlock('TCP', '12:00:00', '12:00:01', {
      'active/s': 3,
      'passive/s': 1.005,
      'iseg/s': 1234.5,
      'oseg/s': null,
    });
    assert.equal(
      text,
      [
        '',
        '12:00:00    active/s passive/s    iseg/s    oseg/s',
        '12:00:01        3.00      1.00   1234.50         -',
        '',
      ].join('\n'),
    );
  });

  it('prints levels as integers and widens columns for long names', () => {
    const text = renderSarBlock('LISTEN', 'Average:', 'Average:', {
      'ListenOverflows/s': 0.5,
      'ListenDrops/s': 0,
      'SyncookiesSent/s': 0,
      'SyncookiesRecv/s': 0,
      'SyncookiesFailed/s': 0,
      'TCPReqQFullDrop/s': 0,
    });
    const [, head, line] = text.split('\n');
    assert.equal(head!.length, line!.length);
    assert.match(line!, /^Average: +0\.50 +0\.00 /);
    const sock = renderSarBlock('SOCK', 'a', 'b', {
      totsck: 11.6,
      tcpsck: 1,
      udpsck: 0,
      rawsck: 0,
      'ip-frag': 0,
      'tcp-tw': 0,
    });
    assert.match(sock.split('\n')[2]!, /^b +12 +1 /);
  });
});

describe('stat text helpers', () => {
  it('prints times as HH:MM:SS local time', () => {
    assert.equal(clockLabel(new Date(2024, 0, 1, 7, 5, 9)), '07:05:09');
  });

  it('titles the run', () => {
    assert.equal(
      renderSarTitle('6.1.0', 'box', new Date(2024, 1, 3), 'web'),
      'Linux 6.1.0 (box)  2024-02-03  netns web\n',
    );
  });

  it('rounds JSON values as the text shows them', () => {
    assert.deepEqual(sarJsonRow('TCP', { 'active/s': 1.006, 'passive/s': 0, 'iseg/s': 2, 'oseg/s': null }), {
      'active/s': 1.01,
      'passive/s': 0,
      'iseg/s': 2,
      'oseg/s': null,
    });
    const sock = { totsck: 10.666, tcpsck: 1, udpsck: 0, rawsck: 0, 'ip-frag': 0, 'tcp-tw': 0 };
    assert.equal(sarJsonRow('SOCK', sock)['totsck'], 11);
    assert.equal(sarJsonRow('SOCK', sock, true)['totsck'], 10.67, 'averages keep two decimals');
  });
});

describe('renderNstat', () => {
  it('prints names in 32 columns, and rates with a delta', () => {
    assert.equal(
      renderNstat([{ name: 'TcpActiveOpens', value: 6 }], false),
      `${'TcpActiveOpens'.padEnd(32)}6\n`,
    );
    const text = renderNstat(
      [
        { name: 'TcpActiveOpens', value: 6, rate: 1.5 },
        { name: 'TcpCurrEstab', value: 3, gauge: true },
        { name: 'TcpOutRsts', value: 0, rate: 0, reset: true },
      ],
      true,
    );
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], `${'TcpActiveOpens'.padEnd(32)}${'6'.padEnd(16)}     1.5`);
    assert.match(lines[1]!, /^TcpCurrEstab +3 +\(current value\)$/);
    assert.match(lines[2]!, /0\.0 \(went backwards: reset\)$/);
  });

  it('prints sysctls as sysctl does', () => {
    assert.equal(
      renderSysctls({ 'net.ipv4.tcp_syncookies': 1, 'net.ipv4.ip_local_port_range': [32768, 60999] }),
      'net.ipv4.tcp_syncookies = 1\nnet.ipv4.ip_local_port_range = 32768\t60999\n',
    );
  });
});
