/**
 * The part of a filter the kernel can apply during a netlink dump: ports, port ranges and address
 * prefixes, as a bytecode expression. Pure. The whole filter still runs in JS afterwards, so what is
 * sent here only has to keep every socket the JS filter keeps (it may keep more).
 */
import type { DiagCond, DiagExpr } from '../kernel/netlink/bytecode.js';
import type { AddressMatcher } from '../net/ip.js';
import { parseIp, samePrefixBits } from '../net/ip.js';
import type { FilterSpec, PortMatch } from './filter.js';

const MAPPED_PREFIX = parseIp('::ffff:0.0.0.0')!;

/** What the kernel can filter: the expression, and whether it is the whole filter (`exact`). */
export interface KernelFilter {
  expr: DiagExpr;
  /** The kernel alone gives the same sockets as the JS filter, not more. */
  exact: boolean;
}

/** The keys of a FilterSpec the kernel takes care of (states and family go in the request). */
const KERNEL_KEYS = new Set(['states', 'family', 'ports', 'sports', 'dports', 'src', 'dst']);

/** The kernel-side expression for a filter, or undefined when nothing in it can go to the kernel. */
export function kernelFilter(spec: FilterSpec): KernelFilter | undefined {
  let exact = Object.keys(spec).every((k) => KERNEL_KEYS.has(k));
  const all: DiagExpr[] = [];
  if (spec.ports) {
    all.push({ or: [...portConds('sport', spec.ports), ...portConds('dport', spec.ports)] });
  }
  if (spec.sports) all.push(anyOf(portConds('sport', spec.sports)));
  if (spec.dports) all.push(anyOf(portConds('dport', spec.dports)));
  for (const [host, m] of [
    ['src', spec.src],
    ['dst', spec.dst],
  ] as const) {
    if (!m) continue;
    const c = hostCond(host, m);
    if (c) all.push(c);
    else exact = false;
  }
  if (all.length === 0) return undefined;
  return { expr: all.length === 1 ? all[0]! : { and: all }, exact };
}

function anyOf(items: DiagExpr[]): DiagExpr {
  return items.length === 1 ? items[0]! : { or: items };
}

function portConds(port: 'sport' | 'dport', list: readonly PortMatch[]): DiagExpr[] {
  return list.map((m): DiagExpr => {
    if (typeof m === 'number') return { port, op: 'eq', value: m };
    if (m[0] === m[1]) return { port, op: 'eq', value: m[0] };
    return {
      and: [
        { port, op: 'ge', value: m[0] },
        { port, op: 'le', value: m[1] },
      ],
    };
  });
}

/**
 * An address prefix for the kernel. The kernel lets an IPv4 prefix match IPv4-mapped sockets too,
 * as our JS matcher does; an IPv6 prefix inside ::ffff:0:0/96 is sent as the IPv4 prefix it means.
 * An IPv6 prefix shorter than that which covers the mapped range (`::/0`) would miss plain IPv4
 * sockets in the kernel: it stays in JS only.
 */
function hostCond(host: 'src' | 'dst', m: AddressMatcher): DiagCond | undefined {
  const c = m.cidr;
  if (c.family === 4) return { host, family: 4, prefixLen: c.prefixLen, addr: c.bytes };
  if (c.prefixLen >= 96 && samePrefixBits(c.bytes, MAPPED_PREFIX, 96)) {
    return { host, family: 4, prefixLen: c.prefixLen - 96, addr: c.bytes.subarray(12) };
  }
  if (samePrefixBits(c.bytes, MAPPED_PREFIX, c.prefixLen)) return undefined;
  return { host, family: 6, prefixLen: c.prefixLen, addr: c.bytes };
}
