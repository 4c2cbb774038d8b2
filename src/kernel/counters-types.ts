/**
 * The shapes the counter readers return (pure types, no I/O). Counters are cumulative since boot, or
 * since the network namespace was created; sockstat's values are levels at the moment of reading.
 */
import type { TcpState } from '../tcp/states.js';

/** Counters by table then field, in the kernel's order: `{ Tcp: { ActiveOpens: 71, ... } }`. */
export type CounterTables = Record<string, Record<string, number>>;

/** What a pure parser hands back: the values, and the lines it had to skip. */
export interface CounterParse<T> {
  value: T;
  /** Lines (or header/value pairs) that could not be read, skipped. */
  malformed: number;
  /** The first of them, for the warning. */
  firstError?: string;
}

/** One reading of a network namespace's counters. */
export interface CounterSample {
  /**
   * /proc/net/snmp, snmp6 and netstat under nstat's names (table prefix joined to the field:
   * `TcpActiveOpens`, `Ip6InReceives`, `TcpExtListenOverflows`), in nstat's order. Fields the
   * kernel adds are kept.
   */
  counters: Record<string, number>;
  /**
   * /proc/net/sockstat and sockstat6 merged (their table names differ: `TCP` and `TCP6`):
   * `{ sockets: { used }, TCP: { inuse, orphan, tw, alloc, mem }, ..., TCP6: { inuse } }`.
   */
  sockstat: CounterTables;
  /** Sockets per TCP state (every state, zeros included), when asked for. */
  states?: Record<TcpState, number>;
  /** Lines skipped across the files read. */
  malformed: number;
  warnings?: string[];
}
