/**
 * The library: everything a command can do, callable from code.
 */

export * from './errors.js';
export * from './kernel/netlink/index.js';
export { parseProcNetTcp } from './kernel/proc-net-tcp.js';
export { ByteReader, ByteWriter, OutOfBounds } from './net/byte-reader.js';
export { cidrMatcher, formatIpv6, parseIp } from './net/ip.js';
export * from './snapshot/index.js';
export * from './tcp/index.js';
