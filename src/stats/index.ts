/**
 * Kernel counters over time: the readers of /proc/net/snmp, snmp6, netstat, sockstat{,6} and the TCP
 * sysctls, deltas and rates, the sampler, and the sar and nstat views.
 */
export { type CounterReadOptions, readCounters } from '../kernel/counters.js';
export { nstatNames, parseNetstat, parseSnmp } from '../kernel/counters-parse-snmp.js';
export { parseSnmp6 } from '../kernel/counters-parse-snmp6.js';
export { parseSockstat } from '../kernel/counters-parse-sockstat.js';
export { parseSysctlValue, type SysctlValue, TCP_SYSCTLS } from '../kernel/counters-parse-sysctl.js';
export { readBootId, readSysctls, type SysctlRead } from '../kernel/counters-sysctl.js';
export type { CounterParse, CounterSample, CounterTables } from '../kernel/counters-types.js';
export * from './clock.js';
export * from './counter-delta.js';
export * from './counter-history.js';
export * from './nstat.js';
export * from './sampler.js';
export * from './sar.js';
export * from './source.js';
