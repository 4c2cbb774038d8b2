/**
 * `tcpscope report` as text (pure): the range and its resolution, per state the minimum, average,
 * maximum and last value with a sparkline, the moments that changed most, the trend rules, the
 * doctor's findings recorded, and the counter rates; and `--at` as one moment, like `sar -f`.
 */
import type { Moment } from '../store/history.js';
import type { ReportModel } from '../store/report-model.js';
import { sparkline } from './sparkline.js';
import { type Column, renderTable } from './table.js';

/** `2026-03-01 03:00:10` in local time. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const LEVEL_TEXT = { raw: 'every reading', '1m': '1-minute averages', '1h': '1-hour averages' } as const;

const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** The report as text lines; `width` is the terminal's. */
export function renderReportText(m: ReportModel, width = 80): string {
  const out: string[] = [];
  const narrowed = [
    m.filter.state !== undefined ? `state ${m.filter.state}` : '',
    m.filter.port !== undefined ? `port ${m.filter.port}` : '',
    m.filter.process !== undefined ? `process ${m.filter.process}` : '',
  ].filter(Boolean);
  out.push(
    `${m.file}: ${localTime(m.from)} to ${localTime(m.to)}, ${m.samples} point(s), ${LEVEL_TEXT[m.level]}${narrowed.length ? ` (${narrowed.join(', ')})` : ''}`,
    '',
  );
  const spark = Math.max(10, Math.min(60, width - 52));
  type S = ReportModel['states'][number];
  const cols: Column<S>[] = [
    { header: 'STATE', get: (r) => r.state },
    { header: 'MIN', get: (r) => num(r.min), align: 'right' },
    { header: 'AVG', get: (r) => num(r.avg), align: 'right' },
    { header: 'MAX', get: (r) => num(r.max), align: 'right' },
    { header: 'LAST', get: (r) => num(r.last), align: 'right' },
    {
      header: 'OVER TIME',
      get: (r) =>
        sparkline(
          m.series.map((p) => p.counts[r.state] ?? 0),
          spark,
        ),
    },
  ];
  if (m.states.length === 0) out.push('no sockets in this range');
  else out.push(renderTable(m.states, cols).trimEnd());
  if (m.changes.length > 0) {
    out.push('', 'Changed most:');
    for (const c of m.changes) {
      const parts = Object.entries(c.states)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
        .map(([s, d]) => `${s} ${d > 0 ? '+' : ''}${num(d)}`);
      out.push(`  ${localTime(c.time)}  ${parts.join(', ')}`);
    }
  }
  out.push(
    '',
    m.trends.length > 0
      ? 'Trends:'
      : 'Trends: none (no steady CLOSE_WAIT rise, TIME_WAIT peak, SYN_RECV burst or listener change)',
  );
  for (const t of m.trends) {
    const when = t.from === t.to ? localTime(t.from) : `${localTime(t.from)} to ${localTime(t.to)}`;
    out.push(`  ${t.severity.padEnd(7)}  ${when}  ${t.title}`);
  }
  if (m.findings.length > 0) {
    out.push('', "The doctor's findings recorded:");
    for (const f of m.findings)
      out.push(
        `  ${f.severity.padEnd(8)} ${localTime(f.first)} to ${localTime(f.last)} (${f.samples}x)  ${f.title}`,
      );
  }
  const rates = m.rates.filter((r) => r.max > 0);
  if (rates.length > 0) {
    type R = ReportModel['rates'][number];
    out.push('', 'Counter rates (per second):');
    const rc: Column<R>[] = [
      { header: 'COUNTER', get: (r) => r.counter },
      { header: 'MIN', get: (r) => r.min.toFixed(2), align: 'right' },
      { header: 'AVG', get: (r) => r.avg.toFixed(2), align: 'right' },
      { header: 'MAX', get: (r) => r.max.toFixed(2), align: 'right' },
      { header: 'LAST', get: (r) => r.last.toFixed(2), align: 'right' },
    ];
    out.push(renderTable(rates, rc).trimEnd());
  }
  if (m.transitions.length > 0) {
    type T = ReportModel['transitions'][number];
    out.push('', 'Transitions traced (tracefs, the whole machine):');
    const tc: Column<T>[] = [
      { header: 'FROM', get: (t) => t.from },
      { header: 'TO', get: (t) => t.to },
      { header: 'COUNT', get: (t) => String(t.count), align: 'right' },
    ];
    out.push(renderTable(m.transitions.slice(0, 20), tc).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

/** `report --at`: one moment's counts per state, its top ports and processes, its rates. */
export function renderMomentText(file: string, m: Moment): string {
  const out: string[] = [];
  const what = m.level === 'raw' ? 'the reading' : `the ${m.level === '1m' ? '1-minute' : '1-hour'} average`;
  out.push(`${file}: ${what} at ${localTime(m.time)}: ${num(m.total)} sockets`, '');
  const states = Object.entries(m.states);
  out.push(
    renderTable(states, [
      { header: 'STATE', get: (r) => r[0] },
      { header: 'COUNT', get: (r) => num(r[1]), align: 'right' },
    ]).trimEnd(),
  );
  for (const [title, rows] of [
    ['PORT', m.ports],
    ['PROCESS', m.processes],
  ] as const) {
    if (rows.length === 0) continue;
    const present = [...new Set(rows.flatMap((r) => Object.keys(r.states)))];
    out.push(
      '',
      renderTable(rows, [
        { header: title, get: (r) => r.key },
        { header: 'TOTAL', get: (r) => num(r.total), align: 'right' },
        ...present.map((st) => ({
          header: st,
          get: (r: (typeof rows)[number]) => num(r.states[st] ?? 0),
          align: 'right' as const,
        })),
      ]).trimEnd(),
    );
  }
  const rates = Object.entries(m.rates).filter(([, v]) => v > 0);
  if (rates.length > 0) out.push('', `Rates: ${rates.map(([k, v]) => `${k} ${v.toFixed(2)}`).join('  ')}`);
  return `${out.join('\n')}\n`;
}
