import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSockaddr, encodeSockaddr } from '../../src/lab/sockaddr.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sockaddr', () => {
  it('lays out sockaddr_in: family in host order, port and address in network order', () => {
    // 0200 family AF_INET (little-endian), 1f90 port 8080, 7f000001, 8 zero bytes
    assert.equal(hex(encodeSockaddr(4, '127.0.0.1', 8080)), '02001f907f0000010000000000000000');
  });

  it('lays out sockaddr_in6: flowinfo and scope id zero', () => {
    const b = encodeSockaddr(6, '::1', 443);
    assert.equal(b.length, 28);
    assert.equal(hex(b), `0a0001bb00000000${'00'.repeat(15)}0100000000`);
  });

  it('round-trips both families, IPv4-mapped IPv6 as a dotted quad', () => {
    const table: [4 | 6, string, number, string][] = [
      [4, '10.1.2.3', 1, '10.1.2.3'],
      [6, '2001:db8::1', 65535, '2001:db8::1'],
      [6, '::ffff:127.0.0.1', 80, '127.0.0.1'],
      [6, '::', 0, '::'],
    ];
    for (const [family, address, port, text] of table) {
      assert.deepEqual(decodeSockaddr(encodeSockaddr(family, address, port)), {
        family,
        address: text,
        port,
      });
    }
  });

  it('refuses an address of the other family, a bad port, and short or unknown input', () => {
    assert.throws(() => encodeSockaddr(4, '::1', 1), /not an IPv4 address/);
    assert.throws(() => encodeSockaddr(6, '127.0.0.1', 1), /not an IPv6 address/);
    assert.throws(() => encodeSockaddr(4, '127.0.0.1', 70000), /not a port/);
    assert.throws(() => encodeSockaddr(4, 'localhost', 1), /not an IP address/);
    assert.throws(() => decodeSockaddr(new Uint8Array(8)), /8 bytes/);
    assert.throws(() => decodeSockaddr(new Uint8Array(16).fill(1)), /unknown family 257/);
  });
});
