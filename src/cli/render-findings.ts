/** The doctor's report for people: worst first, each finding with its evidence, why, fix and next steps. */
import type { Diagnosis } from '../doctor/diagnose.js';
import { num } from '../doctor/evidence.js';
import type { Evidence, Finding } from '../doctor/types.js';
import { formatEndpoint } from '../net/endpoint.js';
import { type Colour, type Output, paint } from './output.js';

const COLOUR: Record<Finding['severity'], Colour> = { critical: 'red', warning: 'yellow', info: 'cyan' };

const LABELS = {
  en: {
    none: (info: number) =>
      info === 0
        ? 'No findings: nothing looks wrong.'
        : `Nothing looks wrong: ${info} finding(s) below for information only.`,
    evidence: 'evidence',
    why: 'why',
    fix: 'fix',
    next: 'next',
    skipped: 'not checked',
    findings: 'finding(s)',
    hidden: (n: number) =>
      `owners of other users' sockets are hidden: ${n} process(es) could not be inspected (run as root to see them); their sockets are "held by a process we could not inspect", never by no process`,
    hiddenByMount: (v: string, gid?: number) =>
      `owners of other users' sockets are hidden: /proc is mounted with hidepid=${v}, which does not even list their processes (run as root${gid === undefined ? '' : `, or as a member of group ${gid}`} to see them); their sockets are "held by a process we could not inspect", never by no process`,
  },
  zh: {
    none: (info: number) => (info === 0 ? '没有发现问题。' : `没有发现问题；下面 ${info} 项仅供参考。`),
    evidence: '证据',
    why: '原因',
    fix: '处理',
    next: '接着看',
    skipped: '未检查',
    findings: '项发现',
    hidden: (n: number) =>
      `其他用户的套接字的属主被隐藏：${n} 个进程无法查看（以 root 运行可以看到）；它们的套接字记为“由无法查看的进程持有”，而不是无进程持有`,
    hiddenByMount: (v: string, gid?: number) =>
      `其他用户的套接字的属主被隐藏：/proc 以 hidepid=${v} 挂载，连它们的进程都不列出（以 root 运行${gid === undefined ? '' : `或加入组 ${gid}`}可以看到）；它们的套接字记为“由无法查看的进程持有”，而不是无进程持有`,
  },
};

const BASIS: Record<string, { en: string; zh: string }> = {
  stayed: { en: 'stayed the whole window', zh: '整个观察期都在' },
  retransmitting: { en: 'timer retransmitting', zh: '定时器在重传' },
  queue: { en: 'queue full or growing', zh: '队列已满或在增长' },
  counter: { en: 'counter rose', zh: '计数器上升' },
  'kernel-error': { en: 'errors the kernel reported', zh: '内核报告的错误' },
  limit: { en: 'against a kernel limit', zh: '对照内核上限' },
  idle: { en: 'idle (info only)', zh: '空闲（仅提示）' },
};

/** A value of the evidence as people read it: rounded numbers, endpoints, no raw object text. */
function valueText(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) return v.map(num).join(' → ');
    return v.map(valueText).join(', ');
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['address'] === 'string' && typeof o['port'] === 'number') {
      const rest = Object.entries(o).filter(([k]) => k !== 'address' && k !== 'port');
      return `${formatEndpoint(o['address'], o['port'])}${rest.length ? ` ${rest.map(([, x]) => valueText(x)).join(' ')}` : ''}`;
    }
    if (o['local'] && o['remote'])
      return `${valueText(o['local'])} → ${valueText(o['remote'])}${Object.entries(o)
        .filter(([k]) => k !== 'local' && k !== 'remote')
        .map(([k, x]) => ` ${k} ${valueText(x)}`)
        .join('')}`;
    return Object.entries(o)
      .filter(([, x]) => x !== undefined && x !== null)
      .map(([k, x]) => (k === 'error' || k === 'command' ? valueText(x) : `${k} ${valueText(x)}`))
      .join(' ');
  }
  return String(v);
}

/** One line of evidence: what it rests on, counts, ports, services, processes, peers, then the rule's own measures. */
export function evidenceLine(e: Evidence, lang: 'en' | 'zh' = 'en'): string {
  const parts: string[] = [];
  const basis = e['basis'];
  if (Array.isArray(basis) && basis.length)
    parts.push(basis.map((b) => BASIS[String(b)]?.[lang] ?? String(b)).join(', '));
  if (e.count !== undefined) parts.push(`count ${num(e.count)}`);
  if (e.ports?.length) parts.push(`ports ${e.ports.map((p) => `:${p.port} ${num(p.count)}`).join(', ')}`);
  if (e.processes?.length)
    parts.push(`processes ${e.processes.map((p) => `${p.command}[${p.pid}] ${num(p.count)}`).join(', ')}`);
  if (e.peers?.length) parts.push(`peers ${e.peers.map((p) => `${p.address} ${num(p.count)}`).join(', ')}`);
  for (const [k, v] of Object.entries(e)) {
    if (
      ['basis', 'count', 'ports', 'processes', 'peers', 'listeners'].includes(k) ||
      v === undefined ||
      v === null
    )
      continue;
    if (Array.isArray(v) && v.length === 0) continue;
    parts.push(`${k} ${valueText(v)}`);
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
  if (d.unseen)
    lines.push(
      paint(
        o,
        'yellow',
        d.unseen.hidepid === undefined
          ? L.hidden(d.unseen.processes)
          : L.hiddenByMount(d.unseen.hidepid, d.unseen.gid),
      ),
    );
  if (!d.findings.some((f) => f.severity !== 'info')) lines.push(L.none(d.findings.length));
  for (const f of d.findings) {
    lines.push('');
    lines.push(
      `${paint(o, COLOUR[f.severity], f.severity.toUpperCase().padEnd(8))} ${paint(o, 'bold', f.rule)}  ${f.title}`,
    );
    if (f.severity === 'info' && f.rule === 'listen-audit') continue;
    lines.push(`  ${L.evidence}: ${evidenceLine(f.evidence, opts.lang)}`);
    if (f.why) lines.push(`  ${L.why}: ${f.why.split('\n\n')[0]}`);
    for (const r of f.remedies.slice(0, 4)) lines.push(`  ${L.fix}: ${r.split('\n\n')[0]}`);
    if (f.commands.length) lines.push(`  ${L.next}: ${f.commands.slice(0, 4).join('   ')}`);
  }
  if (d.skipped.length) lines.push('', `${L.skipped}:`, ...d.skipped.map((s) => `  ${s.rule}: ${s.reason}`));
  return `${lines.join('\n')}\n`;
}
