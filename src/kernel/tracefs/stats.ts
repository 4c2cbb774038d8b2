/**
 * `per_cpu/cpuN/stats` to counts. Pure. `overrun` counts events overwritten before they were read
 * (overwrite mode), `dropped events` those refused because the buffer was full (no-overwrite mode,
 * which tcpscope uses); both are events lost to us.
 * @see kernel/trace/trace.c (tracing_stats_read)
 */

/** The counters of one CPU's buffer that matter to a reader. */
export interface CpuBufferStats {
  readonly entries: number;
  readonly overrun: number;
  readonly commitOverrun: number;
  readonly dropped: number;
  readonly read: number;
}

/** Parses one `stats` file; missing lines read as 0. */
export function parseCpuStats(text: string): CpuBufferStats {
  const v = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z ]+):\s+(\d+)\s*$/.exec(line);
    if (m) v.set(m[1]!, Number(m[2]));
  }
  const g = (k: string) => v.get(k) ?? 0;
  return {
    entries: g('entries'),
    overrun: g('overrun'),
    commitOverrun: g('commit overrun'),
    dropped: g('dropped events'),
    read: g('read events'),
  };
}

/** Events lost according to a CPU's counters. */
export function lostOf(s: CpuBufferStats): number {
  return s.overrun + s.commitOverrun + s.dropped;
}
