/**
 * `report -o report.html` (pure): one self-contained page, no script and no external URL: a line
 * chart per state as inline SVG (the series over the range, min and max marked on the axis), the
 * summary table, the moments that changed most, the trends and the doctor's findings. Every string
 * from the system (process names, titles, the file name) is escaped.
 */
import type { ReportModel } from '../store/report-model.js';
import { localTime } from './report-text.js';
import { esc } from './svg.js';

const W = 720;
const H = 140;
const PAD = { left: 48, right: 12, top: 10, bottom: 22 };

const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** One state's series as an SVG line chart. */
export function stateChart(m: ReportModel, state: string): string {
  const pts = m.series.map((p) => ({ t: p.time, v: p.counts[state] ?? 0 }));
  const t0 = pts[0]?.t ?? m.from;
  const t1 = Math.max(pts[pts.length - 1]?.t ?? m.to, t0 + 1);
  const max = Math.max(1, ...pts.map((p) => p.v));
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const line = pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const bottom = H - PAD.bottom;
  return [
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(state)} over time">`,
    `<line x1="${PAD.left}" y1="${bottom}" x2="${W - PAD.right}" y2="${bottom}" class="axis"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}" class="axis"/>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 8}" text-anchor="end">${num(max)}</text>`,
    `<text x="${PAD.left - 6}" y="${bottom}" text-anchor="end">0</text>`,
    `<text x="${PAD.left}" y="${H - 6}">${esc(localTime(t0))}</text>`,
    `<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end">${esc(localTime(t1))}</text>`,
    pts.length === 1
      ? `<circle cx="${x(pts[0]!.t).toFixed(1)}" cy="${y(pts[0]!.v).toFixed(1)}" r="3" class="series"/>`
      : `<polyline points="${line}" class="series" fill="none"/>`,
    '</svg>',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; background: #fff; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd; }
td:first-child, th:first-child { text-align: left; }
svg text { font: 11px sans-serif; fill: #555; } .axis { stroke: #999; } .series { stroke: #1f6feb; stroke-width: 1.5; fill: #1f6feb; }
polyline.series { fill: none; } .warning { color: #b35900; } .critical { color: #c00; }
@media (prefers-color-scheme: dark) { body { background: #111; color: #ddd; } td, th { border-color: #333; } svg text { fill: #aaa; } }
`;

/** The whole page. */
export function renderReportHtml(m: ReportModel): string {
  const o: string[] = [];
  o.push(
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>tcpscope report: ${esc(localTime(m.from))} to ${esc(localTime(m.to))}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>TCP states from ${esc(localTime(m.from))} to ${esc(localTime(m.to))}</h1>`,
    `<p>${esc(m.file)}: ${m.samples} point(s), resolution ${esc(m.level)}${filterText(m)}</p>`,
  );
  o.push('<h2>Per state</h2><table><tr><th>state</th><th>min</th><th>avg</th><th>max</th><th>last</th></tr>');
  for (const s of m.states)
    o.push(
      `<tr><td>${esc(s.state)}</td><td>${num(s.min)}</td><td>${num(s.avg)}</td><td>${num(s.max)}</td><td>${num(s.last)}</td></tr>`,
    );
  o.push('</table>');
  o.push('<h2>Trends</h2>');
  if (m.trends.length === 0)
    o.push('<p>None: no steady CLOSE_WAIT rise, TIME_WAIT peak, SYN_RECV burst or listener change.</p>');
  else {
    o.push('<ul>');
    for (const t of m.trends)
      o.push(`<li class="${esc(t.severity)}">${esc(localTime(t.from))}: ${esc(t.title)}</li>`);
    o.push('</ul>');
  }
  for (const s of m.states) o.push(`<h2>${esc(s.state)}</h2>`, stateChart(m, s.state));
  if (m.changes.length > 0) {
    o.push('<h2>Changed most</h2><ul>');
    for (const c of m.changes) {
      const parts = Object.entries(c.states).map(([s, d]) => `${esc(s)} ${d > 0 ? '+' : ''}${num(d)}`);
      o.push(`<li>${esc(localTime(c.time))}: ${parts.join(', ')}</li>`);
    }
    o.push('</ul>');
  }
  if (m.findings.length > 0) {
    o.push("<h2>The doctor's findings</h2><ul>");
    for (const f of m.findings)
      o.push(
        `<li class="${esc(f.severity)}">${esc(localTime(f.first))} to ${esc(localTime(f.last))} (${f.samples}x): ${esc(f.title)}</li>`,
      );
    o.push('</ul>');
  }
  const rates = m.rates.filter((r) => r.max > 0);
  if (rates.length > 0) {
    o.push(
      '<h2>Counter rates per second</h2><table><tr><th>counter</th><th>min</th><th>avg</th><th>max</th><th>last</th></tr>',
    );
    for (const r of rates)
      o.push(
        `<tr><td>${esc(r.counter)}</td><td>${r.min.toFixed(2)}</td><td>${r.avg.toFixed(2)}</td><td>${r.max.toFixed(2)}</td><td>${r.last.toFixed(2)}</td></tr>`,
      );
    o.push('</table>');
  }
  if (m.transitions.length > 0) {
    o.push('<h2>Transitions traced</h2><table><tr><th>from</th><th>to</th><th>count</th></tr>');
    for (const t of m.transitions)
      o.push(`<tr><td>${esc(t.from)}</td><td>${esc(t.to)}</td><td>${t.count}</td></tr>`);
    o.push('</table>');
  }
  o.push('</body></html>', '');
  return o.join('\n');
}

function filterText(m: ReportModel): string {
  const f = m.filter;
  const parts = [
    f.state !== undefined ? `state ${f.state}` : '',
    f.port !== undefined ? `port ${f.port}` : '',
    f.process !== undefined ? `process ${f.process}` : '',
  ].filter(Boolean);
  return parts.length ? `, ${esc(parts.join(', '))}` : '';
}
