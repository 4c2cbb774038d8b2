import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter, type DiagExpr } from '../../src/kernel/netlink/bytecode.js';
import { cidrMatcher, parseIp } from '../../src/net/ip.js';
import { buildFilter, type FilterSpec } from '../../src/snapshot/filter.js';
import { kernelFilter } from '../../src/snapshot/kernel-filter.js';
import type { Socket } from '../../src/tcp/socket.js';
import { audit, type Entry, run } from '../helpers/inet-diag-bc.js';

/** A socket and the entry the kernel would test it as (mapped sockets are IPv6 with ::ffff: bytes). */
function sock(family: 4 | 6, src: string, sport: number, dst: string, dport: number): [Socket, Entry] {
  const bytes = (a: string): Uint8Array => {
    const b = parseIp(a)!;
    return family === 4 ? b.subarray(12) : b;
  };
  const s: Socket = {
    state: 'ESTABLISHED',
    family,
    local: { address: src, port: sport },
    remote: { address: dst, port: dport },
    recvQ: 0,
    sendQ: 0,
    inode: 1,
    uid: 0,
  };
  if (family === 6 && src.includes('.')) s.mapped = true;
  return [s, { family, saddr: bytes(src), daddr: bytes(dst), sport, dport }];
}

const SOCKETS = [
  sock(4, '127.0.0.1', 80, '127.0.0.1', 40000),
  sock(4, '10.1.2.3', 40001, '10.9.9.9', 443),
  sock(4, '192.168.1.5', 8080, '172.16.0.1', 8080),
  sock(6, '::1', 443, '::1', 50000),
  sock(6, '2001:db8::1', 22, '2001:db8:1::7', 61000),
  sock(6, '10.1.2.3', 80, '10.1.2.4', 50001), // IPv4-mapped
  sock(6, '::', 0, '::', 0),
];

/** The meaning of an expression, evaluated directly. */
function evaluate(e: DiagExpr, x: Entry): boolean {
  if ('and' in e) return e.and.every((i) => evaluate(i, x));
  if ('or' in e) return e.or.some((i) => evaluate(i, x));
  if ('not' in e) return !evaluate(e.not, x);
  if ('port' in e) {
    const p = e.port === 'sport' ? x.sport : x.dport;
    return e.op === 'eq' ? p === e.value : e.op === 'ge' ? p >= e.value : p <= e.value;
  }
  return run(compileFilter(e, true), x, true);
}

const P = (port: 'sport' | 'dport', op: 'eq' | 'ge' | 'le', value: number): DiagExpr => ({ port, op, value });
const EXPRS: DiagExpr[] = [
  P('sport', 'eq', 80),
  P('dport', 'ge', 50000),
  { not: P('sport', 'eq', 80) },
  { or: [P('sport', 'eq', 80), P('dport', 'eq', 443), P('sport', 'eq', 22)] },
  { and: [P('sport', 'ge', 1000), P('sport', 'le', 50000)] },
  { and: [{ or: [P('sport', 'eq', 80), P('dport', 'eq', 80)] }, { not: P('dport', 'le', 40000) }] },
  { or: [{ and: [P('sport', 'ge', 20), P('sport', 'le', 25)] }, { not: { or: [P('dport', 'eq', 8080)] } }] },
  { not: { and: [P('sport', 'eq', 443), { not: P('dport', 'eq', 50000) }] } },
  { host: 'src', family: 4, prefixLen: 8, addr: Uint8Array.of(10, 0, 0, 0) },
  { host: 'dst', family: 6, prefixLen: 32, addr: parseIp('2001:db8::')! },
  { and: [{ host: 'src', family: 4, prefixLen: 0, addr: Uint8Array.of(0, 0, 0, 0) }, P('sport', 'eq', 80)] },
];

describe('compileFilter', () => {
  it('makes programs the kernel accepts (inet_diag_bc_audit)', () => {
    for (const e of EXPRS) assert.equal(audit(compileFilter(e, true), true), 0, JSON.stringify(e));
  });

  it('makes programs that keep exactly the sockets the expression means (inet_diag_bc_run)', () => {
    for (const e of EXPRS) {
      const code = compileFilter(e, true);
      for (const [, x] of SOCKETS)
        assert.equal(run(code, x, true), evaluate(e, x), `${JSON.stringify(e)} ${x.sport}`);
    }
  });

  it('writes a port test as two ops, the port in the second op: S_GE yes 8, no 12', () => {
    assert.deepEqual([...compileFilter(P('sport', 'ge', 0x1f90), true)], [2, 8, 12, 0, 0, 0, 0x90, 0x1f]);
  });

  it('writes an address test as a hostcond: family, prefix, port -1, address in network order', () => {
    const code = compileFilter(
      { host: 'dst', family: 4, prefixLen: 24, addr: Uint8Array.of(10, 1, 2, 0) },
      true,
    );
    assert.deepEqual([...code], [8, 16, 20, 0, 2, 24, 0, 0, 0xff, 0xff, 0xff, 0xff, 10, 1, 2, 0]);
  });
});

describe('kernelFilter: what the kernel filters keeps every socket the JS filter keeps', () => {
  const specs: FilterSpec[] = [
    { ports: [80] },
    { sports: [[1, 1024]], dports: [443, 50000] },
    { ports: [8080, [40000, 40001]] },
    { src: cidrMatcher('10.0.0.0/8')! },
    { dst: cidrMatcher('::1')! },
    { src: cidrMatcher('::ffff:10.1.2.0/120')! },
    { src: cidrMatcher('::/0')! }, // covers the mapped range: stays in JS
    { dst: cidrMatcher('2001:db8::/32')!, dports: [[60000, 65535]] },
  ];

  it('equals the JS filter when exact, and is a superset otherwise', () => {
    for (const spec of specs) {
      const k = kernelFilter(spec);
      const keep = buildFilter(spec);
      for (const [s, x] of SOCKETS) {
        const kernel = k ? run(compileFilter(k.expr, true), x, true) : true;
        if (k?.exact)
          assert.equal(kernel, keep(s), `${JSON.stringify(spec)} ${s.local.address}:${s.local.port}`);
        else if (keep(s)) assert.equal(kernel, true, `${JSON.stringify(spec)} dropped a kept socket`);
      }
    }
  });

  it('leaves what it cannot express to JS and says so', () => {
    assert.equal(kernelFilter({ pids: [1] }), undefined);
    assert.equal(kernelFilter({ ports: [80], pids: [1] })?.exact, false);
    assert.equal(kernelFilter({ src: cidrMatcher('::/0')! }), undefined);
    assert.equal(kernelFilter({ ports: [80], states: 2 })?.exact, true);
  });
});
