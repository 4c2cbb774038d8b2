/**
 * Port and address filters compiled to the kernel's inet_diag filter bytecode, the way `ss` does,
 * so the kernel leaves out the sockets we would throw away. Pure.
 *
 * The kernel's rules (inet_diag_bc_audit): every op's `yes` steps to the next op, so the `yes` chain
 * walks the whole program and ends exactly at its end; only `no` jumps, forward, onto an op or to
 * the end (accept) or 4 bytes past it (reject). So a fragment of the program accepts by running off
 * its end and rejects by jumping to its end + 4, and branching on "true" takes a JMP op (always
 * `no`). Composition as in iproute2's ssfilter_bytecompile(): `a and b` is a then b with a's rejects
 * moved past b; `a or b` is a, JMP to the end, b; `not a` is a then JMP past the end.
 * @see net/ipv4/inet_diag.c inet_diag_bc_run(), inet_diag_bc_audit(), valid_cc()
 * @see iproute2 misc/ss.c ssfilter_bytecompile()
 */
import { AF_INET, AF_INET6, BC, BC_OP_SIZE, HOSTCOND } from './wire.js';

export type PortOp = 'eq' | 'ge' | 'le';

/** One test on a socket's 4-tuple. */
export type DiagCond =
  | { port: 'sport' | 'dport'; op: PortOp; value: number }
  /** Address under a prefix; a family-4 prefix also matches IPv4-mapped IPv6 sockets (the kernel's rule). */
  | { host: 'src' | 'dst'; family: 4 | 6; prefixLen: number; addr: Uint8Array };

/** A filter expression. */
export type DiagExpr = DiagCond | { and: DiagExpr[] } | { or: DiagExpr[] } | { not: DiagExpr };

interface Op {
  code: number;
  /** Bytes this op takes (its `yes`): 4, or 8 with a port, or 4 + a hostcond. */
  size: number;
  /** Forward jump in bytes from the op's start when the test fails. */
  no: number;
  /** What follows the 4-byte op: the port op or the hostcond. */
  tail?: (w: DataView, at: number, le: boolean) => void;
}

/** A compiled piece: accepts by falling off its end, rejects by jumping to end + 4. */
type Frag = Op[];

const PORT_CODES = {
  sport: { eq: BC.S_EQ, ge: BC.S_GE, le: BC.S_LE },
  dport: { eq: BC.D_EQ, ge: BC.D_GE, le: BC.D_LE },
} as const;

const fragLen = (f: Frag): number => f.reduce((n, op) => n + op.size, 0);

function leaf(c: DiagCond): Frag {
  if ('port' in c) {
    const value = c.value;
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`port ${value}`);
    // The port sits in the `no` field of a second op (op[1].no in inet_diag_bc_run).
    const tail = (w: DataView, at: number, le: boolean): void => w.setUint16(at + 2, value, le);
    return [{ code: PORT_CODES[c.port][c.op], size: 8, no: 12, tail }];
  }
  const addrLen = c.family === 4 ? 4 : 16;
  if (c.addr.length !== addrLen || c.prefixLen < 0 || c.prefixLen > addrLen * 8) {
    throw new RangeError(`bad prefix /${c.prefixLen} of ${c.addr.length} bytes`);
  }
  const size = BC_OP_SIZE + HOSTCOND.SIZE + addrLen;
  const tail = (w: DataView, at: number, le: boolean): void => {
    w.setUint8(at + HOSTCOND.family, c.family === 4 ? AF_INET : AF_INET6);
    w.setUint8(at + HOSTCOND.prefixLen, c.prefixLen);
    w.setInt32(at + HOSTCOND.port, -1, le); // any port
    for (let i = 0; i < addrLen; i++) w.setUint8(at + HOSTCOND.addr + i, c.addr[i]!);
  };
  return [{ code: c.host === 'src' ? BC.S_COND : BC.D_COND, size, no: size + 4, tail }];
}

/** `a` then `b`: a's rejects (jumps to its end + 4) move to b's end + 4. */
function and(a: Frag, b: Frag): Frag {
  const la = fragLen(a);
  const lb = fragLen(b);
  let at = 0;
  const moved = a.map((op) => {
    const o = at + op.no === la + 4 ? { ...op, no: op.no + lb } : op;
    at += op.size;
    return o;
  });
  return [...moved, ...b];
}

/** `a`, then a JMP over `b` to the end (a accepted), then `b` (where a's rejects land). */
function or(a: Frag, b: Frag): Frag {
  return [...a, { code: BC.JMP, size: BC_OP_SIZE, no: fragLen(b) + 4 }, ...b];
}

/** `a`, then a JMP to end + 4: what a accepts is rejected; a's rejects land on the end. */
function not(a: Frag): Frag {
  return [...a, { code: BC.JMP, size: BC_OP_SIZE, no: 8 }];
}

function compile(e: DiagExpr): Frag {
  if ('and' in e) return reduce(e.and, and);
  if ('or' in e) return reduce(e.or, or);
  if ('not' in e) return not(compile(e.not));
  return leaf(e);
}

function reduce(items: DiagExpr[], join: (a: Frag, b: Frag) => Frag): Frag {
  if (items.length === 0) throw new RangeError('empty and/or in a filter');
  return items.map(compile).reduce(join);
}

/**
 * The program for an expression, in the byte order of the machine it is sent to (the op's `no` and
 * the ports are host-order u16, the addresses network order).
 */
export function compileFilter(e: DiagExpr, littleEndian: boolean): Uint8Array {
  const ops = compile(e);
  const len = fragLen(ops);
  const bytes = new Uint8Array(len);
  const w = new DataView(bytes.buffer);
  let at = 0;
  for (const op of ops) {
    if (op.no > 0xffff) throw new RangeError('filter too long for the kernel (jump over 64 KiB)');
    w.setUint8(at, op.code);
    w.setUint8(at + 1, op.size);
    w.setUint16(at + 2, op.no, littleEndian);
    op.tail?.(w, at + BC_OP_SIZE, littleEndian);
    at += op.size;
  }
  return bytes;
}
