/**
 * IP addresses as the JSON contract writes them, and CIDR matching for filters. Pure.
 * @see https://www.rfc-editor.org/rfc/rfc5952 (IPv6 text form)
 */

/**
 * 16 bytes to RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero
 * groups (the first on a tie) as `::`. An IPv4-mapped address (::ffff:a.b.c.d) is written as the
 * bare dotted quad, as the contract asks.
 */
export function formatIpv6(b: Uint8Array): string {
  if (isMapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** An address as 16 bytes (IPv4 as IPv4-mapped IPv6), or undefined when the text is no address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIpv6(text);
  const v4 = parseIpv4(text);
  if (!v4) return undefined;
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    b[i] = Number(p);
  }
  return b;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseIpv4(s.slice(lastColon + 1));
    if (!tail4) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = Number.parseInt(g, 16);
    b[2 * i] = v >> 8;
    b[2 * i + 1] = v & 0xff;
  }
  if (tail4) b.set(tail4, 12);
  return b;
}

/** A prefix: the address bytes (4 for IPv4, 16 for IPv6) and the prefix length in bits. */
export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefixLen: number;
}

/** A predicate over address strings as sockets carry them, with the prefix it tests. */
export type AddressMatcher = ((address: string) => boolean) & { readonly cidr: Cidr };

/**
 * `ADDR` or `ADDR/PREFIX` (IPv4 or IPv6) to a matcher. An IPv4 prefix also matches the same
 * addresses seen through IPv4-mapped sockets, since those are written as dotted quads too.
 * @returns undefined when the text is no address or prefix
 */
export function cidrMatcher(text: string): AddressMatcher | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const isV4 = !addrText.includes(':');
  const net = parseIp(addrText);
  if (!net) return undefined;
  let bits = isV4 ? 32 : 128;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return undefined;
    bits = Number(p);
  }
  const prefix = isV4 ? 96 + bits : bits;
  const cache = new Map<string, boolean>();
  const match = (address: string): boolean => {
    let hit = cache.get(address);
    if (hit === undefined) {
      const a = parseIp(address);
      hit = a !== undefined && samePrefix(a, net, prefix);
      cache.set(address, hit);
    }
    return hit;
  };
  const cidr: Cidr = { family: isV4 ? 4 : 6, bytes: isV4 ? net.subarray(12) : net, prefixLen: bits };
  return Object.assign(match, { cidr });
}

/** Whether two addresses (16 bytes each) share their first `bits` bits. */
export function samePrefixBits(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  return samePrefix(a, b, bits);
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== b[i]) return false;
  if (bits === 0) return true;
  const m = (0xff << (8 - bits)) & 0xff;
  return (a[i]! & m) === (b[i]! & m);
}

/** Whether an address is a wildcard (`0.0.0.0`, `::`). */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Whether an address is on the loopback (127.0.0.0/8, ::1). */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
