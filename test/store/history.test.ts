/**
 * The history file without the kernel: readings made up over three hours are written through the
 * writer and read back through `openHistory`: the 1-minute and 1-hour rollups agree with the
 * readings, the range picks its resolution, retention removes what is older, findings are kept as
 * stretches, the schema is versioned and a file from elsewhere is refused in one line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { decodeAggs } from '../../src/store/codec.js';
import { openHistory, retentionOf, SCHEMA_VERSION } from '../../src/store/index.js';
import type { SampleRows } from '../../src/store/sample-rows.js';
import { openHistoryWriter } from '../../src/store/writer.js';

const BASE = Date.UTC(2026, 0, 1, 0, 0, 0);
const H = 3_600_000;
const STEP = 10_000;
/** Readings over three hours, every 10 s. */
const N = (3 * H) / STEP;

/** CLOSE_WAIT rises by one a minute; port 8080 listens from the second hour; a finding comes and goes. */
function reading(i: number): SampleRows {
  const time = BASE + i * STEP;
  const closeWait = Math.floor(i / 6);
  const listening8080 = time >= BASE + H;
  const counts: SampleRows['counts'] = [
    { kind: 'all', key: '', state: 'LISTEN', count: listening8080 ? 2 : 1 },
    { kind: 'all', key: '', state: 'ESTABLISHED', count: 10 },
    { kind: 'port', key: '80', state: 'LISTEN', count: 1 },
    { kind: 'port', key: '80', state: 'ESTABLISHED', count: 10 },
    { kind: 'process', key: 'nginx[42]', state: 'LISTEN', count: 1 },
  ];
  if (closeWait > 0) {
    counts.push({ kind: 'all', key: '', state: 'CLOSE_WAIT', count: closeWait });
    counts.push({ kind: 'port', key: '80', state: 'CLOSE_WAIT', count: closeWait });
  }
  if (listening8080) counts.push({ kind: 'port', key: '8080', state: 'LISTEN', count: 1 });
  return {
    time,
    ...(i > 0 ? { seconds: 10 } : {}),
    total: 10 + (listening8080 ? 2 : 1) + closeWait,
    owners: i % 6 === 0,
    counts,
    rates: i > 0 ? [{ counter: 'active/s', value: i % 2 }] : [],
    // The doctor judges the readings with owners: it has the finding at 0 and 6, not at 12, again at 18 and 24.
    findings:
      i % 6 === 0 && [0, 6, 18, 24].includes(i)
        ? [
            {
              rule: 'close-wait-leak',
              severity: 'warning',
              title: 'nginx leaks',
              json: '{"rule":"close-wait-leak"}',
            },
          ]
        : [],
  };
}

describe('the history file', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcps-history-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps readings, rolls them up by the minute and the hour, and reads them back', async () => {
    const file = join(dir, 'h.db');
    const w = await openHistoryWriter(file, { retention: retentionOf(7 * 24 * H), meta: { interval: '10' } });
    for (let i = 0; i < N; i++) w.append(reading(i));
    w.close();
    const db = new Database(file, { readonly: true });
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(n('SELECT count(*) AS n FROM samples'), N);
    // Complete buckets only: the last minute and hour are rolled up by the next reading.
    assert.equal(n('SELECT count(*) AS n FROM rollup_spans WHERE step = 60000'), 179);
    assert.equal(n('SELECT count(*) AS n FROM rollup_spans WHERE step = 3600000'), 2);
    assert.equal(n('SELECT sum(n) AS n FROM rollup_spans WHERE step = 3600000'), 720);
    db.close();

    const h = await openHistory(file, { readonly: true });
    try {
      assert.equal(h.meta()['interval'], '10');
      assert.deepEqual(h.bounds(), { first: BASE, last: BASE + (N - 1) * STEP, samples: N });
      const all = h.series({});
      assert.equal(all.length, N, 'three hours of readings are answered by the readings');
      assert.deepEqual(all[7], {
        time: BASE + 7 * STEP,
        counts: { LISTEN: 1, ESTABLISHED: 10, CLOSE_WAIT: 1 },
      });
      assert.deepEqual(h.series({ from: BASE + H, to: BASE + H, state: 'LISTEN' }), [
        { time: BASE + H, counts: { LISTEN: 2 } },
      ]);
      assert.deepEqual(h.series({ from: BASE + H, to: BASE + H, port: 8080 }), [
        { time: BASE + H, counts: { LISTEN: 1 } },
      ]);
      assert.deepEqual(h.series({ from: BASE, to: BASE, process: 'nginx' }), [
        { time: BASE, counts: { LISTEN: 1 } },
      ]);
      assert.deepEqual(h.series({ from: BASE, to: BASE, process: 'ngin' }), [
        { time: BASE, counts: { LISTEN: 1 } },
      ]);
      assert.deepEqual(h.series({ from: BASE, to: BASE, process: 'apache' }), [{ time: BASE, counts: {} }]);

      const at = h.at(BASE + H + 4_000);
      assert.equal(at?.time, BASE + H);
      assert.deepEqual(at?.states, { LISTEN: 2, ESTABLISHED: 10, CLOSE_WAIT: 60 });
      assert.deepEqual(
        at?.ports.map((r) => r.key),
        ['80', '8080'],
      );
      assert.deepEqual(at?.rates, { 'active/s': 0 });

      const stretches = h.findings(BASE, BASE + 3 * H);
      assert.deepEqual(
        stretches.map((f) => [f.first, f.last, f.samples]),
        [
          [BASE, BASE + 6 * STEP, 2],
          [BASE + 18 * STEP, BASE + 24 * STEP, 2],
        ],
      );
    } finally {
      h.close();
    }
  });

  it('rolls up into averages, minimums, maximums and lasts that agree with the readings', async () => {
    const file = join(dir, 'h.db');
    const db = new Database(file, { readonly: true });
    const aggs = (step: number, kind: string) =>
      (
        db
          .prepare('SELECT time, data FROM rollups WHERE step = ? AND kind = ? ORDER BY time')
          .all(step, kind) as {
          time: number;
          data: string;
        }[]
      ).flatMap((r) => decodeAggs(r.data, r.time, kind).aggs);
    const rolled = aggs(3_600_000, 'all')
      .filter((a) => a.state === 'CLOSE_WAIT')
      .map(({ time, sum, n, min, max, last }) => ({ time, sum, n, min, max, last }));
    const minute = aggs(60_000, 'rate')
      .filter((a) => a.time === BASE)
      .map(({ sum, n }) => ({ sum, n }))[0];
    db.close();
    // The first hour: CLOSE_WAIT = floor(i / 6) for i in 0..359.
    let sum = 0;
    for (let i = 0; i < 360; i++) sum += Math.floor(i / 6);
    assert.deepEqual(rolled[0], { time: BASE, sum, n: 360, min: 0, max: 59, last: 59 });
    assert.deepEqual(rolled[1], {
      time: BASE + H,
      sum: sum + 360 * 60,
      n: 360,
      min: 60,
      max: 119,
      last: 119,
    });
    assert.deepEqual(minute, { sum: 3, n: 5 }, 'the first minute: five rates (none at the first reading)');
  });

  it('answers a range at the resolution that fits it, from readings, minutes or hours', async () => {
    const file = join(dir, 'week.db');
    const w = await openHistoryWriter(file, { retention: retentionOf(7 * 24 * H) });
    // Eight days, a reading a minute, CLOSE_WAIT = the hour of the day.
    const minutes = 8 * 24 * 60;
    for (let i = 0; i < minutes; i++) {
      const time = BASE + i * 60_000;
      const cw = Math.floor(i / 60) % 24;
      w.append({
        time,
        total: cw,
        owners: false,
        counts: cw ? [{ kind: 'all', key: '', state: 'CLOSE_WAIT', count: cw }] : [],
        rates: [],
        findings: [],
      });
    }
    w.close();
    const last = BASE + (minutes - 1) * 60_000;
    const h = await openHistory(file, { readonly: true });
    try {
      assert.equal(h.levelFor(last - 6 * H, last), 'raw');
      assert.equal(h.levelFor(last - 2 * 24 * H, last), '1m', 'raw readings are kept a day');
      assert.equal(h.levelFor(last - 7 * 24 * H, last), '1h');
      const week = h.series({ from: last - 7 * 24 * H, to: last });
      assert.ok(week.length >= 167 && week.length <= 169, String(week.length));
      for (const p of week)
        assert.equal(p.counts['CLOSE_WAIT'] ?? 0, new Date(p.time).getUTCHours(), String(p.time));
      const days = h.series({ from: last - 2 * 24 * H, to: last, state: 'CLOSE_WAIT' });
      assert.ok(days.length > 2000 && days.length <= 2881, String(days.length));
      // Beyond its retention a level is gone: nothing older than a week at any resolution.
      assert.ok(h.bounds()!.first >= last - 7 * 24 * H - H);
    } finally {
      h.close();
    }
  });

  it('removes what is older than the retention, level by level', async () => {
    const file = join(dir, 'short.db');
    const w = await openHistoryWriter(file, { retention: retentionOf(2 * H) });
    for (let i = 0; i < N; i++) w.append(reading(i));
    w.close();
    const db = new Database(file, { readonly: true });
    const last = BASE + (N - 1) * STEP;
    const oldest = (sql: string) => (db.prepare(sql).get() as { t: number }).t;
    assert.ok(oldest('SELECT min(time) AS t FROM samples') >= last - 2 * H - 60_000);
    assert.ok(oldest('SELECT min(time) AS t FROM rollup_spans WHERE step = 60000') >= last - 2 * H - 60_000);
    assert.ok(oldest('SELECT min(time) AS t FROM samples') <= last - 2 * H + 60_000, 'and no more');
    db.close();
    const h = await openHistory(file, { readonly: true });
    try {
      const series = h.series({ from: BASE, to: last });
      assert.ok(series.length > 0 && series[0]!.time >= last - 2 * H - H, String(series[0]?.time));
    } finally {
      h.close();
    }
  });

  it('rolls up what a stopped recorder left when it starts again', async () => {
    const file = join(dir, 'restart.db');
    let w = await openHistoryWriter(file, { retention: retentionOf(7 * 24 * H) });
    for (let i = 0; i < 30; i++) w.append(reading(i)); // five minutes
    w.close();
    w = await openHistoryWriter(file, { retention: retentionOf(7 * 24 * H) });
    w.append(reading(400)); // past the first hour
    w.close();
    const db = new Database(file, { readonly: true });
    const spans = db.prepare('SELECT step, time, n FROM rollup_spans ORDER BY step, time').all();
    db.close();
    assert.deepEqual(spans, [
      ...[0, 1, 2, 3, 4].map((m) => ({ step: 60000, time: BASE + m * 60_000, n: 6 })),
      { step: 3600000, time: BASE, n: 30 },
    ]);
  });

  it('refuses a file it does not know, in one line', async () => {
    const newer = join(dir, 'newer.db');
    const d = new Database(newer);
    d.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    d.close();
    await assert.rejects(openHistory(newer), { code: 'EENV', message: /newer tcpscope/ });
    const other = join(dir, 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    await assert.rejects(openHistory(other), { code: 'EENV', message: /not a tcpscope history/ });
    await assert.rejects(openHistory(other, { readonly: true }), {
      code: 'EENV',
      message: /not a tcpscope history/,
    });
    await assert.rejects(openHistory(join(dir, 'missing.db'), { readonly: true }), {
      code: 'EENV',
      message: /no history there/,
    });
  });
});
