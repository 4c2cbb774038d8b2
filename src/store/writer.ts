/**
 * Writing the history: one transaction per reading holds its rows, the rollups of the buckets it
 * completed (1-minute from raw samples, 1-hour from 1-minute rollups) and, once a minute, the
 * removal of what is older than the retention. Buckets are rolled up once complete, from a marker
 * kept in the file, so a recorder stopped and started again later rolls up what it left.
 */
import { decodeAggs, decodeValues, encodeAggs, encodeValues, type Value } from './codec.js';
import { type Db, openDb, storeError } from './db.js';
import { type Level, type Retention, STEP_MS } from './retention.js';
import { type Agg, coarsen, type Span } from './rollup.js';
import type { SampleRows } from './sample-rows.js';

export interface HistoryWriter {
  readonly file: string;
  /** Writes one reading (and what it completes) in one transaction. */
  append(rows: SampleRows): void;
  close(): void;
}

export interface WriterOptions {
  retention: Retention;
  /** Written to the file's meta table (interval, retention, namespace). */
  meta?: Record<string, string>;
}

/** Opens `file` for writing, creating and migrating it as needed. */
export async function openHistoryWriter(file: string, opts: WriterOptions): Promise<HistoryWriter> {
  const db = await openDb(file);
  try {
    return makeWriter(db, file, opts);
  } catch (e) {
    db.close();
    throw storeError(e, file);
  }
}

function makeWriter(db: Db, file: string, opts: WriterOptions): HistoryWriter {
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  db.transaction(() => {
    if (!getMeta.get('created')) setMeta.run('created', new Date().toISOString());
    for (const [k, v] of Object.entries(opts.meta ?? {})) setMeta.run(k, v);
  }).immediate();
  const insSample = db.prepare(
    'INSERT OR REPLACE INTO samples (time, seconds, total, owners) VALUES (?, ?, ?, ?)',
  );
  const insValues = db.prepare('INSERT OR REPLACE INTO readings (time, kind, data) VALUES (?, ?, ?)');
  const openFinding = db.prepare<[string, string, number], { id: number }>(
    'SELECT id FROM findings WHERE rule = ? AND title = ? AND last = ? ORDER BY id DESC LIMIT 1',
  );
  const extendFinding = db.prepare(
    'UPDATE findings SET last = ?, samples = samples + 1, severity = ?, finding = ? WHERE id = ?',
  );
  const newFinding = db.prepare(
    'INSERT INTO findings (rule, severity, title, first, last, samples, finding) VALUES (?, ?, ?, ?, ?, 1, ?)',
  );
  // Findings come with the readings that looked owners up (the doctor judges those).
  const lastJudged = db.prepare<[number], { time: number }>(
    'SELECT time FROM samples WHERE time < ? AND owners = 1 ORDER BY time DESC LIMIT 1',
  );
  const roll = rollers(db);
  const prune = pruner(db, opts.retention);

  const write = db.transaction((r: SampleRows) => {
    const previous = r.owners ? lastJudged.get(r.time)?.time : undefined;
    insSample.run(r.time, r.seconds ?? null, r.total, r.owners ? 1 : 0);
    for (const [kind, values] of valuesByKind(r)) insValues.run(r.time, kind, encodeValues(values));
    for (const f of r.findings) {
      // A finding the doctor also had at its previous judgement extends that stretch; else one starts.
      const open = previous === undefined ? undefined : openFinding.get(f.rule, f.title, previous);
      if (open) extendFinding.run(r.time, f.severity, f.json, open.id);
      else newFinding.run(f.rule, f.severity, f.title, r.time, r.time, f.json);
    }
    if (roll(r.time)) prune(r.time);
  });
  return {
    file,
    append(rows) {
      try {
        write.immediate(rows);
      } catch (e) {
        throw storeError(e, file);
      }
    },
    close() {
      db.close();
    },
  };
}

/** A reading's values by kind (`all`, `port`, `process`, `rate`), kinds without values left out. */
function valuesByKind(r: SampleRows): Map<string, Value[]> {
  const out = new Map<string, Value[]>();
  const add = (kind: string, v: Value) => {
    const list = out.get(kind);
    if (list) list.push(v);
    else out.set(kind, [v]);
  };
  for (const c of r.counts) add(c.kind, { key: c.key, state: c.state, value: c.count });
  for (const x of r.rates) add('rate', { key: x.counter, state: '', value: x.value });
  return out;
}

/** Rolls up the buckets completed before `now`; true when a 1-minute bucket was rolled up. */
function rollers(db: Db): (now: number) => boolean {
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  const firstSample = db.prepare<[], { time: number }>('SELECT min(time) AS time FROM samples');
  const rawValues = db.prepare<[number, number], { time: number; kind: string; data: Uint8Array }>(
    'SELECT time, kind, data FROM readings WHERE time >= ? AND time < ?',
  );
  const rawSpans = db.prepare<[number, number], Span>(
    'SELECT time, 1 AS n FROM samples WHERE time >= ? AND time < ?',
  );
  const rolled = db.prepare<[number, number, number], { time: number; kind: string; data: Uint8Array }>(
    'SELECT time, kind, data FROM rollups WHERE step = ? AND time >= ? AND time < ?',
  );
  const rolledSpans = db.prepare<[number, number, number], Span>(
    'SELECT time, n FROM rollup_spans WHERE step = ? AND time >= ? AND time < ?',
  );
  const insRollup = db.prepare('INSERT OR REPLACE INTO rollups (step, time, kind, data) VALUES (?, ?, ?, ?)');
  const insSpan = db.prepare('INSERT OR REPLACE INTO rollup_spans (step, time, n) VALUES (?, ?, ?)');

  const rollLevel = (level: Exclude<Level, 'raw'>, finer: Level, now: number): boolean => {
    const step = STEP_MS[level];
    const upTo = Math.floor(now / step) * step;
    const marker = `rolled_${level}`;
    const done = getMeta.get(marker);
    let from = done ? Number(done.value) : undefined;
    if (from === undefined) {
      const first = firstSample.get()?.time;
      if (first === null || first === undefined) return false;
      from = Math.floor(first / step) * step;
    }
    if (upTo <= from) return false;
    const aggs: Agg[] = [];
    let spans: Span[];
    if (finer === 'raw') {
      for (const row of rawValues.all(from, upTo))
        for (const v of decodeValues(row.data).values)
          aggs.push(one(row.time, row.kind, v.key, v.state, v.value));
      spans = rawSpans.all(from, upTo);
    } else {
      for (const row of rolled.all(STEP_MS[finer], from, upTo))
        aggs.push(...decodeAggs(row.data, row.time, row.kind).aggs);
      spans = rolledSpans.all(STEP_MS[finer], from, upTo);
    }
    const out = coarsen(aggs, spans, step);
    const byBucket = new Map<string, Agg[]>();
    for (const a of out.aggs) {
      const id = `${a.time}\0${a.kind}`;
      const list = byBucket.get(id);
      if (list) list.push(a);
      else byBucket.set(id, [a]);
    }
    for (const list of byBucket.values()) insRollup.run(step, list[0]!.time, list[0]!.kind, encodeAggs(list));
    for (const s of out.spans) insSpan.run(step, s.time, s.n);
    setMeta.run(marker, String(upTo));
    return true;
  };
  return (now) => {
    const minute = rollLevel('1m', 'raw', now);
    if (minute) rollLevel('1h', '1m', now);
    return minute;
  };
}

function one(time: number, kind: string, key: string, state: string, v: number): Agg {
  return { time, kind, key, state, n: 1, sum: v, min: v, max: v, last: v };
}

/** Removes what each level keeps no longer, relative to the newest reading. */
function pruner(db: Db, retention: Retention): (now: number) => void {
  const stmts = [
    db.prepare('DELETE FROM samples WHERE time < ?'),
    db.prepare('DELETE FROM readings WHERE time < ?'),
  ];
  const rollups = db.prepare('DELETE FROM rollups WHERE step = ? AND time < ?');
  const spans = db.prepare('DELETE FROM rollup_spans WHERE step = ? AND time < ?');
  const findings = db.prepare('DELETE FROM findings WHERE last < ?');
  return (now) => {
    for (const s of stmts) s.run(now - retention.raw);
    for (const level of ['1m', '1h'] as const) {
      rollups.run(STEP_MS[level], now - retention[level]);
      spans.run(STEP_MS[level], now - retention[level]);
    }
    findings.run(now - retention['1h']);
  };
}
