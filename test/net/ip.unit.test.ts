import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrMatcher, formatIpv6, parseIp } from '../../src/net/ip.js';

const v6 = (text: string): string => formatIpv6(parseIp(text)!);

describe('formatIpv6 (RFC 5952)', () => {
  const table: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:0DB8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'], // IPv4-mapped: the dotted quad
    ['10.1.2.3', '10.1.2.3'],
  ];
  for (const [input, want] of table) it(`${input} -> ${want}`, () => assert.equal(v6(input), want));

  it('refuses what is no address', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.256',
      '1::2::3',
      '12345::',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
      'x.y.z.w',
    ]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe('cidrMatcher', () => {
  it('matches IPv4 prefixes, including mapped sockets written as dotted quads', () => {
    const m = cidrMatcher('10.0.0.0/8')!;
    assert.ok(m('10.200.1.1'));
    assert.ok(!m('11.0.0.1'));
    assert.ok(!m('::1'));
    assert.ok(cidrMatcher('127.0.0.1')!('127.0.0.1'));
    assert.ok(!cidrMatcher('127.0.0.1')!('127.0.0.2'));
    assert.ok(cidrMatcher('0.0.0.0/0')!('8.8.8.8'));
  });

  it('matches IPv6 prefixes', () => {
    const m = cidrMatcher('2001:db8::/33')!;
    assert.ok(m('2001:db8::1'));
    assert.ok(m('2001:db8:7fff::1'));
    assert.ok(!m('2001:db8:8000::1'));
    assert.ok(cidrMatcher('::1')!('::1'));
  });

  it('refuses bad prefixes', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', 'abc', '10.0.0.0/8/8']) {
      assert.equal(cidrMatcher(bad), undefined, bad);
    }
  });
});
