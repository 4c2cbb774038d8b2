/**
 * The library: everything a command can do, callable from code.
 */

export * from './errors.js';
export { parseProcNetTcp } from './kernel/proc-net-tcp.js';
export * from './lab/index.js';
export { cidrMatcher, formatIpv6, parseIp } from './net/ip.js';
export * from './stats/index.js';
export * from './tcp/index.js';
