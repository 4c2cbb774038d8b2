/**
 * Deltas and rates of cumulative counters (pure). Gauges are levels, not running totals: they are
 * never turned into deltas. A counter that went backwards was reset (a namespace recreated under the
 * same inode, or a 32-bit counter that wrapped): its delta is 0 and it is named in `resets`, as nstat
 * prints "(overflow)".
 * @see iproute2 misc/nstat.c useless_numbers[], dump_incr_db()
 */

/** Settings the SNMP tables carry as values (nstat's useless_numbers less TcpCurrEstab): no increase to show. */
export const CONSTANTS: ReadonlySet<string> = new Set([
  'IpForwarding',
  'IpDefaultTTL',
  'TcpRtoAlgorithm',
  'TcpRtoMin',
  'TcpRtoMax',
  'TcpMaxConn',
]);

/** Counters that are levels: the constants above, and the counts of established connections. */
export const GAUGES: ReadonlySet<string> = new Set([...CONSTANTS, 'TcpCurrEstab', 'MPTcpExtMPCurrEstab']);

/** Whether a counter (by nstat name) is a level rather than a running total. */
export function isGauge(name: string): boolean {
  return GAUGES.has(name);
}

export interface CounterDelta {
  /** Counter name → increase; gauges carry their current value. */
  delta: Record<string, number>;
  /** Counters that went backwards (reported as 0). */
  resets: string[];
}

/**
 * The change from `prev` to `cur`, for every counter of `cur`. A counter absent from `prev` (a
 * history written by another kernel) counts from 0.
 */
export function counterDelta(
  prev: Readonly<Record<string, number>>,
  cur: Readonly<Record<string, number>>,
): CounterDelta {
  const delta: Record<string, number> = {};
  const resets: string[] = [];
  for (const [name, now] of Object.entries(cur)) {
    if (GAUGES.has(name)) {
      delta[name] = now;
      continue;
    }
    const d = now - (prev[name] ?? 0);
    if (d < 0) {
      resets.push(name);
      delta[name] = 0;
    } else delta[name] = d;
  }
  return { delta, resets };
}

/** Per-second rates of a delta over `seconds` (gauges excluded: a level has no rate). */
export function counterRates(
  delta: Readonly<Record<string, number>>,
  seconds: number,
): Record<string, number> {
  const rates: Record<string, number> = {};
  if (!(seconds > 0)) return rates;
  for (const [name, d] of Object.entries(delta)) if (!GAUGES.has(name)) rates[name] = d / seconds;
  return rates;
}
