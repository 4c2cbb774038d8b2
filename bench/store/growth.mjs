#!/usr/bin/env node
// The history file's size at the default retention, by writing made-up readings as fast as the
// writer takes them (no kernel, no waiting): a reading every INTERVAL seconds for DAYS days, each as
// large as `record` ever makes one with --top 20 (11 states; 20 listening ports and 20 other ports,
// 20 processes and "(other)", three states each, the same keys at every reading; 15 counter rates; a finding). Prints the size after
// each day (raw readings are kept a day, 1-minute rollups a week, hourly ones the retention) and the
// writer's time per reading. Run on a built tree:  node bench/store/growth.mjs [DAYS] [INTERVAL]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retentionOf } from '../../build/src/store/retention.js';
import { openHistoryWriter } from '../../build/src/store/writer.js';
import { TCP_STATES } from '../../build/src/tcp/states.js';

const days = Number(process.argv[2] ?? 8);
const interval = Number(process.argv[3] ?? 10);
const STATES = TCP_STATES;
const RATES = [
  'active/s',
  'passive/s',
  'iseg/s',
  'oseg/s',
  'atmptf/s',
  'estres/s',
  'retrans/s',
  'isegerr/s',
  'orsts/s',
  'ListenOverflows/s',
  'ListenDrops/s',
  'SyncookiesSent/s',
  'SyncookiesRecv/s',
  'SyncookiesFailed/s',
  'TCPReqQFullDrop/s',
];

function reading(i, time) {
  const counts = STATES.map((state, k) => ({ kind: 'all', key: '', state, count: 100 + ((i + k) % 37) }));
  for (let p = 0; p < 40; p++)
    for (const state of p < 20
      ? ['LISTEN', 'ESTABLISHED', 'TIME_WAIT']
      : ['ESTABLISHED', 'CLOSE_WAIT', 'TIME_WAIT'])
      counts.push({
        kind: 'port',
        key: String(p < 20 ? 8000 + p : 40000 + p),
        state,
        count: 1 + ((i + p) % 50),
      });
  for (let p = 0; p < 21; p++)
    for (const state of ['LISTEN', 'ESTABLISHED', 'CLOSE_WAIT'])
      counts.push({
        kind: 'process',
        key: p === 20 ? '(other)' : `worker-${p}[${1000 + p}]`,
        state,
        count: 1 + ((i + p) % 9),
      });
  return {
    time,
    seconds: interval,
    total: 2000,
    owners: i % 6 === 0,
    counts,
    rates: RATES.map((counter, k) => ({ counter, value: ((i + k) % 100) / 10 })),
    findings: [
      {
        rule: 'close-wait-leak',
        severity: 'warning',
        title: 'worker-3 leaks',
        json: '{"rule":"close-wait-leak","evidence":{}}',
      },
    ],
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tcps-growth-'));
const file = join(dir, 'history.db');
try {
  const w = await openHistoryWriter(file, { retention: retentionOf(7 * 86_400_000) });
  const perDay = Math.round(86_400 / interval);
  const start = Date.UTC(2026, 0, 1);
  console.log(`| day | readings | file MB (with WAL) | writer ms/reading |`);
  console.log(`|---:|---:|---:|---:|`);
  for (let d = 0; d < days; d++) {
    const t0 = performance.now();
    for (let k = 0; k < perDay; k++) {
      const i = d * perDay + k;
      w.append(reading(i, start + i * interval * 1000));
    }
    const ms = (performance.now() - t0) / perDay;
    const size = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    console.log(`| ${d + 1} | ${(d + 1) * perDay} | ${(size / 1e6).toFixed(1)} | ${ms.toFixed(2)} |`);
  }
  w.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
