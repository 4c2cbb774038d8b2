/**
 * `report --json` and `report --at --json` (docs/json.md): times as ISO 8601 strings, states by their
 * Linux names, counter rates under sar's column names. `--at` is `count --json`'s `{ total, states }`
 * with `count --by port` and `--by process`'s `{ by, rows }` beside it.
 */
import type { FindingStretch, Moment } from '../store/history.js';
import type { ReportModel } from '../store/report-model.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const RESOLUTION = { raw: 'raw', '1m': '1m', '1h': '1h' } as const;

function findingView(f: FindingStretch) {
  return {
    rule: f.rule,
    severity: f.severity,
    title: f.title,
    first: iso(f.first),
    last: iso(f.last),
    readings: f.samples,
  };
}

/** The report over a range. */
export function reportView(m: ReportModel) {
  return {
    file: m.file,
    from: iso(m.from),
    to: iso(m.to),
    resolution: RESOLUTION[m.level],
    points: m.samples,
    filter: m.filter,
    states: Object.fromEntries(m.states.map(({ state, ...s }) => [state, s])),
    series: m.series.map((p) => ({ time: iso(p.time), counts: p.counts })),
    changes: m.changes.map((c) => ({
      time: iso(c.time),
      previous: iso(c.previous),
      moved: c.moved,
      states: c.states,
    })),
    trends: m.trends.map((t) => ({ ...t, from: iso(t.from), to: iso(t.to) })),
    findings: m.findings.map(findingView),
    rates: Object.fromEntries(m.rates.map(({ counter, ...s }) => [counter, s])),
    transitions: m.transitions,
  };
}

/** What the machine looked like at one moment. */
export function momentView(file: string, m: Moment, findings: readonly FindingStretch[]) {
  return {
    file,
    time: iso(m.time),
    resolution: RESOLUTION[m.level],
    total: m.total,
    states: m.states,
    ports: { by: 'port', rows: m.ports },
    processes: { by: 'process', rows: m.processes },
    rates: m.rates,
    findings: findings.map(findingView),
  };
}
