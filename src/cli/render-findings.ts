/** The doctor's report for people: worst first, each finding with its evidence, why, fix and next steps. */
import type { Diagnosis } from '../doctor/diagnose.js';
import type { Evidence, Finding } from '../doctor/types.js';
import { type Colour, type Output, paint } from './output.js';

const COLOUR: Record<Finding['severity'], Colour> = { critical: 'red', warning: 'yellow', info: 'cyan' };

const LABELS = {
  en: {
    none: 'No findings: nothing looks wrong.',
    evidence: 'evidence',
    why: 'why',
    fix: 'fix',
    next: 'next',
    skipped: 'not checked',
    findings: 'finding(s)',
  },
  zh: {
    none: '没有发现问题。',
    evidence: '证据',
    why: '原因',
    fix: '处理',
    next: '接着看',
    skipped: '未检查',
    findings: '项发现',
  },
};

/** One line of evidence: counts, ports, processes, peers, then the rule's own measures. */
export function evidenceLine(e: Evidence): string {
  const parts: string[] = [];
  if (e.count !== undefined) parts.push(`count ${e.count}`);
  if (e.ports?.length) parts.push(`ports ${e.ports.map((p) => `:${p.port} ${p.count}`).join(', ')}`);
  if (e.processes?.length)
    parts.push(`processes ${e.processes.map((p) => `${p.command}[${p.pid}] ${p.count}`).join(', ')}`);
  if (e.peers?.length) parts.push(`peers ${e.peers.map((p) => `${p.address} ${p.count}`).join(', ')}`);
  for (const [k, v] of Object.entries(e)) {
    if (['count', 'ports', 'processes', 'peers', 'listeners'].includes(k) || v === undefined || v === null)
      continue;
    parts.push(`${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join('; ');
}

/** The report as text. Info findings are one line each. */
export function renderDiagnosis(
  o: Pick<Output, 'tty'>,
  d: Diagnosis,
  opts: { lang: 'en' | 'zh'; windowSeconds: number; source: string },
): string {
  const L = LABELS[opts.lang];
  const lines: string[] = [];
  const n = (s: Finding['severity']) => d.findings.filter((f) => f.severity === s).length;
  lines.push(
    paint(
      o,
      'bold',
      `tcpscope doctor: ${d.findings.length} ${L.findings} (${n('critical')} critical, ${n('warning')} warning, ${n('info')} info); window ${opts.windowSeconds} s, source ${opts.source}`,
    ),
  );
  if (!d.findings.some((f) => f.severity !== 'info')) lines.push(L.none);
  for (const f of d.findings) {
    lines.push('');
    lines.push(
      `${paint(o, COLOUR[f.severity], f.severity.toUpperCase().padEnd(8))} ${paint(o, 'bold', f.rule)}  ${f.title}`,
    );
    if (f.severity === 'info' && f.rule === 'listen-audit') continue;
    lines.push(`  ${L.evidence}: ${evidenceLine(f.evidence)}`);
    if (f.why) lines.push(`  ${L.why}: ${f.why.split('\n\n')[0]}`);
    for (const r of f.remedies.slice(0, 4)) lines.push(`  ${L.fix}: ${r.split('\n\n')[0]}`);
    if (f.commands.length) lines.push(`  ${L.next}: ${f.commands.slice(0, 4).join('   ')}`);
  }
  if (d.skipped.length)
    lines.push('', `${L.skipped}: ${d.skipped.map((s) => `${s.rule} (${s.reason})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
