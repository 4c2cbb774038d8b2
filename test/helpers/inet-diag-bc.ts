/**
 * The kernel's filter bytecode checker and interpreter, transcribed from net/ipv4/inet_diag.c
 * (inet_diag_bc_audit, valid_cc, inet_diag_bc_run) so unit tests can run compiled programs the way
 * the kernel would. Port and address tests only (what we compile).
 */

export interface Entry {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  saddr: Uint8Array;
  daddr: Uint8Array;
  sport: number;
  dport: number;
}

const op = (b: Uint8Array, at: number, le: boolean) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { code: b[at]!, yes: b[at + 1]!, no: v.getUint16(at + 2, le) };
};

function validCc(b: Uint8Array, len: number, cc: number, le: boolean): boolean {
  let at = 0;
  while (len >= 0) {
    const o = op(b, at, le);
    if (cc > len) return false;
    if (cc === len) return true;
    if (o.yes < 4 || o.yes & 3) return false;
    len -= o.yes;
    at += o.yes;
  }
  return false;
}

/** inet_diag_bc_audit(): 0 when the kernel would accept the program, else a reason. */
export function audit(b: Uint8Array, le: boolean): string | 0 {
  let len = b.length;
  let at = 0;
  while (len > 0) {
    const o = op(b, at, le);
    let minLen = 4;
    if (o.code === 7 || o.code === 8) {
      const family = b[at + 4]!;
      const addrLen = family === 2 ? 4 : family === 10 ? 16 : 0;
      minLen += 8 + addrLen;
      if (len < minLen || b[at + 5]! > addrLen * 8) return `bad hostcond at ${at}`;
    } else if ([2, 3, 4, 5, 11, 12].includes(o.code)) {
      minLen += 4;
      if (len < minLen) return `short port op at ${at}`;
    } else if (o.code !== 0 && o.code !== 1 && o.code !== 6) {
      return `unknown op ${o.code} at ${at}`;
    }
    if (o.code !== 0) {
      if (o.no < minLen || o.no > len + 4 || o.no & 3) return `bad no ${o.no} at ${at}`;
      if (o.no < len && !validCc(b, b.length, len - o.no, le)) return `no lands mid-op at ${at}`;
    }
    if (o.yes < minLen || o.yes > len + 4 || o.yes & 3) return `bad yes ${o.yes} at ${at}`;
    at += o.yes;
    len -= o.yes;
  }
  return len === 0 ? 0 : 'yes chain does not end at the end';
}

function bitsMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & m) !== (b[i]! & m)) return false;
  }
  return true;
}

/** inet_diag_bc_run(): whether the program keeps the socket. */
export function run(b: Uint8Array, e: Entry, le: boolean): boolean {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let len = b.length;
  let at = 0;
  while (len > 0) {
    const o = op(b, at, le);
    const port = () => v.getUint16(at + 6, le);
    let yes = true;
    switch (o.code) {
      case 1:
        yes = false;
        break;
      case 11:
        yes = e.sport === port();
        break;
      case 2:
        yes = e.sport >= port();
        break;
      case 3:
        yes = e.sport <= port();
        break;
      case 12:
        yes = e.dport === port();
        break;
      case 4:
        yes = e.dport >= port();
        break;
      case 5:
        yes = e.dport <= port();
        break;
      case 7:
      case 8:
        yes = hostcond(b, v, at, o.code === 7 ? e.saddr : e.daddr, o.code === 7 ? e.sport : e.dport, e, le);
        break;
    }
    const step = yes ? o.yes : o.no;
    len -= step;
    at += step;
  }
  return len === 0;
}

function hostcond(
  b: Uint8Array,
  v: DataView,
  at: number,
  addr: Uint8Array,
  port: number,
  e: Entry,
  le: boolean,
): boolean {
  const family = b[at + 4]!;
  const prefix = b[at + 5]!;
  const cport = v.getInt32(at + 8, le);
  if (cport !== -1 && cport !== port) return false;
  const want = b.subarray(at + 12, at + 12 + (family === 2 ? 4 : 16));
  const entryFamily = e.family === 4 ? 2 : 10;
  if (family !== 0 && family !== entryFamily) {
    // An IPv4 condition matches an IPv4-mapped IPv6 address.
    if (entryFamily === 10 && family === 2) {
      const mapped = addr.subarray(0, 12).every((x, i) => x === (i >= 10 ? 0xff : 0));
      return mapped && bitsMatch(addr.subarray(12), want, prefix);
    }
    return false;
  }
  return prefix === 0 || bitsMatch(addr, want, prefix);
}
