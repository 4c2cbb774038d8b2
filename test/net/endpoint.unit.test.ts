import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointOf, formatAddress, formatEndpoint, formatFlow } from '../../src/net/endpoint.js';

describe('formatEndpoint writes ends as ss does', () => {
  const table: [string, number, boolean | undefined, string][] = [
    ['1.2.3.4', 80, undefined, '1.2.3.4:80'],
    ['0.0.0.0', 80, undefined, '0.0.0.0:80'],
    ['0.0.0.0', 0, undefined, '0.0.0.0:*'],
    ['::1', 80, undefined, '[::1]:80'],
    ['2001:db8::2:1', 443, true, '[2001:db8::2:1]:443'],
    ['fe80::1', 22, false, '[fe80::1]:22'],
    // dual-stack wildcard (ss's inet_addr_print): `*`; a v6-only one keeps its brackets
    ['::', 80, undefined, '*:80'],
    ['::', 80, false, '*:80'],
    ['::', 0, undefined, '*:*'],
    ['::', 80, true, '[::]:80'],
    ['::', 0, true, '[::]:*'],
    ['10.0.0.1', 65535, undefined, '10.0.0.1:65535'],
  ];
  for (const [address, port, v6only, want] of table) {
    it(`${address} ${port}${v6only === undefined ? '' : ` v6only=${v6only}`} -> ${want}`, () => {
      const opts = v6only === undefined ? {} : { v6only };
      assert.equal(formatEndpoint(address, port, opts), want);
      assert.equal(endpointOf({ address, port }, opts), want);
    });
  }

  it('writes the address half alone', () => {
    assert.equal(formatAddress('127.0.0.1'), '127.0.0.1');
    assert.equal(formatAddress('::1'), '[::1]');
    assert.equal(formatAddress('::'), '*');
    assert.equal(formatAddress('::', { v6only: true }), '[::]');
  });

  it('writes a 4-tuple local first, distinct tuples distinctly', () => {
    const a = { address: '10.0.0.1', port: 44918 };
    const b = { address: '::1', port: 80 };
    assert.equal(formatFlow(a, b), '10.0.0.1:44918 > [::1]:80');
    assert.notEqual(formatFlow(a, b), formatFlow(b, a));
    // without brackets `::1:80` would be ambiguous with the address `::1:80` and port 0
    assert.notEqual(
      formatFlow({ address: '::1', port: 80 }, a),
      formatFlow({ address: '::1:80', port: 0 }, a),
    );
  });
});
