/**
 * The `nstat` view of the counters (pure): name filters with shell globs, zeros hidden unless asked,
 * absolute values (nstat -a) or the increase since an earlier reading (nstat's default), with the rate
 * over the time between them. Gauges keep their current value in both; the settings among them
 * (TcpRtoMin, IpDefaultTTL...) are left out of the increase view, as nstat leaves them out.
 * @see iproute2 misc/nstat.c match(), dump_kern_db(), dump_incr_db()
 */
import { CONSTANTS, counterDelta, isGauge } from './counter-delta.js';

export interface NstatRow {
  /** nstat's name (`TcpExtListenOverflows`). */
  name: string;
  /** The absolute value, or the increase with a delta (a gauge's current value either way). */
  value: number;
  /** Increase per second, with a delta (not for gauges). */
  rate?: number;
  gauge?: true;
  /** The counter went backwards since the earlier reading (value shown as 0). */
  reset?: true;
}

export interface NstatViewOptions {
  /** Shell globs (`*`, `?`, `[...]`), matched case-insensitively; any match keeps a counter. All if empty. */
  patterns?: readonly string[];
  /** Show counters whose value is 0. */
  zeros?: boolean;
  /** Show increases since this earlier reading, taken `seconds` before. */
  since?: { counters: Readonly<Record<string, number>>; seconds: number };
}

/** The rows to show, in the kernel's order. */
export function nstatView(
  counters: Readonly<Record<string, number>>,
  opts: NstatViewOptions = {},
): NstatRow[] {
  const match = globMatcher(opts.patterns ?? []);
  const since = opts.since;
  const d = since ? counterDelta(since.counters, counters) : undefined;
  const resets = new Set(d?.resets ?? []);
  const rows: NstatRow[] = [];
  for (const [name, abs] of Object.entries(counters)) {
    if (!match(name) || (since && CONSTANTS.has(name))) continue;
    const value = d ? d.delta[name]! : abs;
    if (value === 0 && !opts.zeros) continue;
    const row: NstatRow = { name, value };
    if (isGauge(name)) row.gauge = true;
    else if (since && since.seconds > 0) row.rate = value / since.seconds;
    if (resets.has(name)) row.reset = true;
    rows.push(row);
  }
  return rows;
}

/** A predicate for shell globs (fnmatch without flags, but case-insensitive); true for all when none. */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${globSource(p)}$`, 'i'));
  return (name) => res.some((re) => re.test(name));
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, end);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}
