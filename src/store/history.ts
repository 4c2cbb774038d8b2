/**
 * Reading the history: per-state series for a range at the resolution that answers it (raw readings,
 * 1-minute or 1-hour rollups: `chooseLevel`), the moment nearest a time, counter rates, the doctor's
 * findings. What `report` and the web server read.
 */
import { decodeAggs, decodeValues } from './codec.js';
import { type Db, openDb, storeError } from './db.js';
import { chooseLevel, LEVELS, type Level, type LevelExtent, STEP_MS } from './retention.js';
import { averageOf } from './rollup.js';
import { OTHER } from './sample-rows.js';

/** What a series is narrowed to: a range (ms since the epoch), one state, one port or one process. */
export interface SeriesQuery {
  from?: number;
  to?: number;
  state?: string;
  port?: number;
  process?: string;
}

/** One point of a series: sockets per Linux state name (an average over the bucket for rollups). */
export interface SeriesPoint {
  time: number;
  counts: Record<string, number>;
}

/** A per-key cross-tab row, in `count --by`'s shape. */
export interface KeyedRow {
  key: string;
  other?: true;
  total: number;
  states: Record<string, number>;
}

/** What the machine looked like at one reading. */
export interface Moment {
  time: number;
  /** The resolution the moment comes from: a reading, or a rollup bucket's averages. */
  level: Level;
  total: number;
  states: Record<string, number>;
  ports: KeyedRow[];
  processes: KeyedRow[];
  rates: Record<string, number>;
}

/** A stretch of readings in which the doctor had one finding. */
export interface FindingStretch {
  rule: string;
  severity: string;
  title: string;
  first: number;
  last: number;
  samples: number;
  finding: unknown;
}

export interface History {
  readonly file: string;
  /** Sockets per state over the range (all of it by default), oldest first. */
  series(q: SeriesQuery): Array<{ time: number; counts: Record<string, number> }>;
  /** The resolution `series` and `keyed` use for a range. */
  levelFor(from: number, to: number): Level;
  /** Per-key values of one kind (`port`, `process`) over a range: [time, key, state, value]. */
  keyed(
    kind: 'port' | 'process',
    from: number,
    to: number,
    state?: string,
  ): Array<[number, string, string, number]>;
  /**
   * The state transitions traced over the range (recorded when tracefs was readable), as totals per
   * pair, most first; empty when none were recorded.
   */
  transitions(from: number, to: number): Array<{ from: string; to: string; count: number }>;
  /** Counter rates per second over the range (`active/s`, `retrans/s`...), oldest first. */
  rates(from: number, to: number): Array<{ time: number; rates: Record<string, number> }>;
  /** The reading nearest `time` (or, past the raw retention, the nearest rollup bucket). */
  at(time: number, top?: number): Moment | undefined;
  /** The findings whose stretch overlaps the range. */
  findings(from: number, to: number): FindingStretch[];
  /** The oldest and newest times held, at any resolution; undefined when empty. */
  bounds(): { first: number; last: number; samples: number } | undefined;
  /** What the recorder wrote about itself (interval, retain, netns, created). */
  meta(): Record<string, string>;
  close(): void;
}

/** Opens a history file; `readonly` (for readers) never writes or migrates it. */
export async function openHistory(file: string, opts: { readonly?: boolean } = {}): Promise<History> {
  const db = await openDb(file, opts.readonly ? { readonly: true } : {});
  try {
    return makeHistory(db, file);
  } catch (e) {
    db.close();
    throw storeError(e, file);
  }
}

/** The kind of the rows counting traced transitions: key the state left, state the one entered. */
const TRANSITION = 'transition';

interface Row {
  time: number;
  key: string;
  state: string;
  value: number;
}

function makeHistory(db: Db, file: string): History {
  const extentRaw = db.prepare<[number, number], { oldest: number | null; points: number }>(
    'SELECT min(time) AS oldest, count(*) AS points FROM samples WHERE time >= ? AND time <= ?',
  );
  const extentRolled = db.prepare<[number, number, number], { oldest: number | null; points: number }>(
    'SELECT min(time) AS oldest, count(*) AS points FROM rollup_spans WHERE step = ? AND time >= ? AND time <= ?',
  );
  const rawTimes = db.prepare<[number, number], { time: number }>(
    'SELECT time FROM samples WHERE time >= ? AND time <= ? ORDER BY time',
  );
  const rolledTimes = db.prepare<[number, number, number], { time: number; n: number }>(
    'SELECT time, n FROM rollup_spans WHERE step = ? AND time >= ? AND time <= ? ORDER BY time',
  );
  const rawData = db.prepare<[string, number, number], { time: number; data: Uint8Array }>(
    'SELECT time, data FROM readings WHERE kind = ? AND time >= ? AND time <= ?',
  );
  const rolledData = db.prepare<[number, string, number, number], { time: number; data: Uint8Array }>(
    'SELECT time, data FROM rollups WHERE step = ? AND kind = ? AND time >= ? AND time <= ?',
  );
  const nearestRaw = db.prepare<[number], { time: number }>(
    'SELECT time FROM samples ORDER BY abs(time - ?) LIMIT 1',
  );
  /** Every SQLite failure of a read as one line naming the file. */
  const safe =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      try {
        return f(...a);
      } catch (e) {
        throw storeError(e, file);
      }
    };
  const nearestRolled = db.prepare<[number, number], { time: number }>(
    'SELECT time FROM rollup_spans WHERE step = ? ORDER BY abs(time - ?) LIMIT 1',
  );
  const totalOf = db.prepare<[number], { total: number }>('SELECT total FROM samples WHERE time = ?');
  const findingsIn = db.prepare<[number, number], Omit<FindingStretch, 'finding'> & { finding: string }>(
    'SELECT rule, severity, title, first, last, samples, finding FROM findings WHERE last >= ? AND first <= ? ORDER BY first, id',
  );
  const boundsRaw = db.prepare<[], { first: number | null; last: number | null; samples: number }>(
    'SELECT min(time) AS first, max(time) AS last, count(*) AS samples FROM samples',
  );
  const boundsRolled = db.prepare<[], { first: number | null; last: number | null; samples: number | null }>(
    'SELECT min(time) AS first, max(time) AS last, sum(n) AS samples FROM rollup_spans WHERE step = 3600000',
  );
  const metaAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM meta');

  const levelFor = (from: number, to: number): Level => {
    const extents: LevelExtent[] = LEVELS.map((level) => {
      const e = level === 'raw' ? extentRaw.get(from, to) : extentRolled.get(STEP_MS[level], from, to);
      return { level, points: e?.points ?? 0, ...(e?.oldest != null ? { oldest: e.oldest } : {}) };
    });
    return chooseLevel(extents);
  };

  /** The times (with the readings each covers) of a level in a range. */
  const timesOf = (level: Level, from: number, to: number): Map<number, number> =>
    new Map(
      level === 'raw'
        ? rawTimes.all(from, to).map((r) => [r.time, 1] as const)
        : rolledTimes.all(STEP_MS[level], from, to).map((r) => [r.time, r.n] as const),
    );

  /** Rows of a kind at a level (of one key when given); rollups' values are averages over the bucket's readings. */
  const rowsOf = (level: Level, kind: string, from: number, to: number, key?: string): Row[] => {
    const out: Row[] = [];
    if (level === 'raw') {
      for (const r of rawData.all(kind, from, to))
        for (const v of decodeValues(r.data).values)
          if (key === undefined || v.key === key)
            out.push({ time: r.time, key: v.key, state: v.state, value: v.value });
      return out;
    }
    for (const r of rolledData.all(STEP_MS[level], kind, from, to))
      for (const a of decodeAggs(r.data, r.time, kind).aggs)
        if (key === undefined || a.key === key)
          out.push({ time: a.time, key: a.key, state: a.state, value: round2(averageOf(a)) });
    return out;
  };

  const range = (q: { from?: number; to?: number }): [number, number] => [
    q.from ?? Number.MIN_SAFE_INTEGER,
    q.to ?? Number.MAX_SAFE_INTEGER,
  ];

  return {
    file,
    levelFor: safe(levelFor),
    series: safe((q: SeriesQuery): SeriesPoint[] => {
      const [from, to] = range(q);
      const level = levelFor(from, to);
      const points = new Map<number, Record<string, number>>();
      for (const t of timesOf(level, from, to).keys()) points.set(t, {});
      let rows: Row[];
      if (q.port !== undefined) rows = rowsOf(level, 'port', from, to, String(q.port));
      else if (q.process !== undefined)
        rows = rowsOf(level, 'process', from, to).filter((r) => processMatches(r.key, q.process!));
      else rows = rowsOf(level, 'all', from, to, '');
      for (const r of rows) {
        if (q.state !== undefined && r.state !== q.state) continue;
        const p = points.get(r.time);
        if (p) p[r.state] = round2((p[r.state] ?? 0) + r.value);
      }
      return [...points].sort((a, b) => a[0] - b[0]).map(([time, counts]) => ({ time, counts }));
    }),
    keyed: safe(
      (
        kind: 'port' | 'process',
        from: number,
        to: number,
        state?: string,
      ): Array<[number, string, string, number]> => {
        const level = levelFor(from, to);
        return rowsOf(level, kind, from, to)
          .filter((r) => state === undefined || r.state === state)
          .map((r) => [r.time, r.key, r.state, r.value]);
      },
    ),
    transitions: safe((from: number, to: number): Array<{ from: string; to: string; count: number }> => {
      // Totals, not averages: a rollup's sum is every transition of the readings it covers.
      const level = levelFor(from, to);
      const totals = new Map<string, { from: string; to: string; count: number }>();
      const add = (key: string, state: string, n: number): void => {
        const id = `${key}>${state}`;
        const t = totals.get(id);
        if (t) t.count += n;
        else totals.set(id, { from: key, to: state, count: n });
      };
      if (level === 'raw') {
        for (const r of rawData.all(TRANSITION, from, to))
          for (const v of decodeValues(r.data).values) add(v.key, v.state, v.value);
      } else
        for (const r of rolledData.all(STEP_MS[level], TRANSITION, from, to))
          for (const a of decodeAggs(r.data, r.time, TRANSITION).aggs) add(a.key, a.state, a.sum);
      return [...totals.values()].sort(
        (a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
      );
    }),
    rates: safe((from: number, to: number): Array<{ time: number; rates: Record<string, number> }> => {
      const level = levelFor(from, to);
      const points = new Map<number, Record<string, number>>();
      for (const t of timesOf(level, from, to).keys()) points.set(t, {});
      const rows = rowsOf(level, 'rate', from, to);
      for (const r of rows) {
        const p = points.get(r.time);
        if (p) p[r.key] = r.value;
      }
      return [...points].sort((a, b) => a[0] - b[0]).map(([time, rates]) => ({ time, rates }));
    }),
    at: safe((time: number, top = 10): Moment | undefined => {
      let level: Level = 'raw';
      let t = nearestRaw.get(time)?.time;
      if (t === undefined || Math.abs(t - time) > STEP_MS['1m']) {
        // Past the raw retention: the nearest rollup bucket, if nearer.
        for (const l of ['1m', '1h'] as const) {
          const r = nearestRolled.get(STEP_MS[l], time)?.time;
          if (r !== undefined && (t === undefined || Math.abs(r - time) < Math.abs(t - time))) {
            t = r;
            level = l;
            break;
          }
        }
      }
      if (t === undefined) return undefined;
      const states: Record<string, number> = {};
      for (const r of rowsOf(level, 'all', t, t, '')) states[r.state] = r.value;
      const sum = Object.values(states).reduce((a, b) => a + b, 0);
      const total = level === 'raw' ? (totalOf.get(t)?.total ?? sum) : round2(sum);
      const rates: Record<string, number> = {};
      for (const r of rowsOf(level, 'rate', t, t)) rates[r.key] = r.value;
      return {
        time: t,
        level,
        total,
        states,
        ports: crossTab(rowsOf(level, 'port', t, t), top),
        processes: crossTab(rowsOf(level, 'process', t, t), top),
        rates,
      };
    }),
    findings: safe((from: number, to: number): FindingStretch[] => {
      return findingsIn.all(from, to).map((f) => ({ ...f, finding: parseJson(f.finding) }));
    }),
    bounds: safe((): { first: number; last: number; samples: number } | undefined => {
      const raw = boundsRaw.get();
      const rolled = boundsRolled.get();
      const firsts = [raw?.first, rolled?.first].filter((x): x is number => x != null);
      const lasts = [raw?.last, rolled?.last].filter((x): x is number => x != null);
      if (firsts.length === 0) return undefined;
      return {
        first: Math.min(...firsts),
        last: Math.max(...lasts),
        samples: Math.max(raw?.samples ?? 0, rolled?.samples ?? 0),
      };
    }),
    meta: safe((): Record<string, string> => {
      return Object.fromEntries(metaAll.all().map((r) => [r.key, r.value]));
    }),
    close() {
      db.close();
    },
  };
}

/** `--process NAME` matches `NAME[pid]` and commands that start with NAME, as `ls --process` does. */
export function processMatches(key: string, name: string): boolean {
  if (key === name) return true;
  const command = key.startsWith('(') ? key : key.replace(/\[\d+\]$/, '');
  return command.startsWith(name);
}

/** Rows of one moment as `count --by`'s cross-tab: the top `top` by total, then "(other)". */
function crossTab(rows: readonly Row[], top: number): KeyedRow[] {
  const byKey = new Map<string, KeyedRow>();
  for (const r of rows) {
    const k = byKey.get(r.key) ?? { key: r.key, total: 0, states: {} };
    k.states[r.state] = r.value;
    k.total = round2(k.total + r.value);
    byKey.set(r.key, k);
  }
  const all = [...byKey.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const other = all.find((r) => r.key === OTHER);
  const named = all.filter((r) => r.key !== OTHER);
  const kept = named.slice(0, top);
  const rest = named.slice(top);
  if (rest.length === 0 && !other) return kept;
  const o: KeyedRow = { key: OTHER, other: true, total: 0, states: {} };
  for (const r of other ? [...rest, other] : rest) {
    o.total = round2(o.total + r.total);
    for (const [st, c] of Object.entries(r.states)) o.states[st] = round2((o.states[st] ?? 0) + c);
  }
  return [...kept, o];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
