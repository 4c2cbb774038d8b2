import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatcher, nstatView } from '../../src/stats/nstat.js';

const counters = {
  IpForwarding: 1,
  TcpActiveOpens: 30,
  TcpCurrEstab: 4,
  TcpRtoMin: 200,
  TcpOutRsts: 3,
  Ip6InReceives: 0,
  TcpExtListenOverflows: 7,
  TcpExtListenDrops: 7,
  TcpExtSyncookiesSent: 0,
};

describe('globMatcher', () => {
  it('matches shell globs, case-insensitively, any of several', () => {
    const m = globMatcher(['TcpExtListen*', 'ip6?n*']);
    assert.ok(m('TcpExtListenOverflows'));
    assert.ok(m('tcpextlistendrops'));
    assert.ok(m('Ip6InReceives'));
    assert.ok(!m('TcpActiveOpens'));
    assert.ok(!m('XTcpExtListenDrops'), 'anchored');
    assert.ok(globMatcher([])('anything'));
  });

  it('knows bracket sets and takes regex characters literally', () => {
    assert.ok(globMatcher(['Tcp[AP]*'])('TcpActiveOpens'));
    assert.ok(globMatcher(['Tcp[!A]*'])('TcpPassiveOpens'));
    assert.ok(!globMatcher(['Tcp[!A]*'])('TcpActiveOpens'));
    assert.ok(globMatcher(['a.b+(c)'])('a.b+(c)'));
    assert.ok(!globMatcher(['a.b'])('axb'));
    assert.ok(globMatcher(['x[y'])('x[y'), 'an unclosed bracket is literal');
  });
});

describe('nstatView', () => {
  it('shows absolute values, zeros hidden unless asked (nstat -a, -z)', () => {
    const rows = nstatView(counters);
    assert.deepEqual(
      rows.map((r) => r.name),
      [
        'IpForwarding',
        'TcpActiveOpens',
        'TcpCurrEstab',
        'TcpRtoMin',
        'TcpOutRsts',
        'TcpExtListenOverflows',
        'TcpExtListenDrops',
      ],
    );
    assert.equal(nstatView(counters, { zeros: true }).length, Object.keys(counters).length);
    assert.deepEqual(rows[2], { name: 'TcpCurrEstab', value: 4, gauge: true });
  });

  it('shows increases with rates since an earlier reading, gauges as they are, settings left out', () => {
    const since = {
      counters: { ...counters, TcpActiveOpens: 10, TcpOutRsts: 9, TcpCurrEstab: 1 },
      seconds: 4,
    };
    const rows = nstatView(counters, { since, zeros: true, patterns: ['Tcp*'] });
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    assert.deepEqual(by['TcpActiveOpens'], { name: 'TcpActiveOpens', value: 20, rate: 5 });
    assert.deepEqual(by['TcpCurrEstab'], { name: 'TcpCurrEstab', value: 4, gauge: true });
    assert.deepEqual(by['TcpOutRsts'], { name: 'TcpOutRsts', value: 0, rate: 0, reset: true });
    assert.equal(by['TcpRtoMin'], undefined, 'a setting has no increase');
    assert.equal(by['IpForwarding'], undefined, 'filtered out by the pattern');
    assert.equal(by['TcpExtListenOverflows']!.value, 0);
  });

  it('hides unchanged counters in the increase view unless --zeros', () => {
    const rows = nstatView(counters, { since: { counters, seconds: 1 } });
    assert.deepEqual(
      rows.map((r) => r.name),
      ['TcpCurrEstab'],
    );
  });
});
