/**
 * `struct sockaddr_in` and `struct sockaddr_in6` as bytes, for the raw socket calls. Pure.
 * The family is in host byte order (little-endian on every Linux we run on: x86-64, arm64), the port
 * and the address in network byte order.
 * @see include/uapi/linux/in.h (sockaddr_in, 16 bytes), include/uapi/linux/in6.h (sockaddr_in6, 28 bytes)
 */
import { formatIpv6, parseIp } from '../net/ip.js';
import type { Endpoint } from '../tcp/socket.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
/** The room a getsockname/accept needs for either family. */
export const SOCKADDR_MAX = 28;

/** An IP family as the contract writes it. */
export type Family = 4 | 6;

/** The kernel's address family constant for 4 or 6. */
export function afOf(family: Family): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** Encodes an endpoint as a sockaddr of the given family; throws on an address of the other family. */
export function encodeSockaddr(family: Family, address: string, port: number): Uint8Array {
  const ip = parseIp(address);
  if (!ip) throw new TypeError(`not an IP address: ${address}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`not a port: ${port}`);
  const mapped = isV4Mapped(ip);
  if (family === 4 && !mapped) throw new TypeError(`not an IPv4 address: ${address}`);
  if (family === 6 && mapped && address.indexOf(':') < 0) {
    throw new TypeError(`not an IPv6 address: ${address}`);
  }
  const buf = new Uint8Array(family === 4 ? 16 : 28);
  const view = new DataView(buf.buffer);
  view.setUint16(0, afOf(family), true);
  view.setUint16(2, port, false);
  if (family === 4) buf.set(ip.subarray(12), 4);
  else buf.set(ip, 8); // after sin6_flowinfo (4 bytes); sin6_scope_id stays 0
  return buf;
}

/** Decodes a sockaddr_in or sockaddr_in6 (as filled by getsockname, getpeername or accept). */
export function decodeSockaddr(buf: Uint8Array): Endpoint & { family: Family } {
  if (buf.length < 16) throw new TypeError(`sockaddr: ${buf.length} bytes, need 16`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const af = view.getUint16(0, true);
  const port = view.getUint16(2, false);
  if (af === AF_INET) return { family: 4, address: buf.subarray(4, 8).join('.'), port };
  if (af === AF_INET6 && buf.length >= 24) {
    const b = buf.subarray(8, 24);
    // formatIpv6 writes an IPv4-mapped address as a dotted quad, as the JSON contract asks.
    return { family: 6, address: formatIpv6(b), port };
  }
  throw new TypeError(`sockaddr: unknown family ${af} in ${buf.length} bytes`);
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}
