/**
 * The overview (`tcpscope` with no command) as text, in one language at a time: every header,
 * sentence and hint in English or in Chinese, the findings' titles as the doctor wrote them in the
 * same language. State names stay the kernel's (they are what users type). Pure: colour comes in
 * as functions.
 */
import { formatAddress } from '../net/endpoint.js';
import type { ListenerQueue, ListeningPort, Overview, StatePlaces } from '../snapshot/overview.js';
import type { TcpState } from '../tcp/states.js';
import { netnsName } from './socket-text.js';
import { bar, renderTable } from './table.js';

export type OverviewLang = 'en' | 'zh';

/** Colours (identity off a terminal). */
export interface OverviewPaint {
  bold(text: string): string;
  /** A padded cell holding `state`. */
  state(state: string, padded: string): string;
  severity(severity: 'info' | 'warning' | 'critical', text: string): string;
}

/** What the overview shows of a finding. */
export interface OverviewFinding {
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
}

export interface OverviewTextOptions {
  lang: OverviewLang;
  /** Terminal width, for the bars. */
  columns: number;
  paint: OverviewPaint;
  /** The doctor's rules one snapshot cannot judge (they need a window). */
  skipped?: readonly { rule: string }[];
}

/** Every word the overview prints, per language. */
const WORDS = {
  en: {
    sockets: (n: number, ns: string | undefined) => `${n} TCP sockets${ns ? ` in netns ${ns}` : ''}`,
    state: 'STATE',
    count: 'COUNT',
    listening: 'Listening',
    none: 'no listening sockets',
    port: 'PORT',
    on: 'ON',
    exposure: { all: 'all', loopback: 'loopback', specific: 'specific' },
    addresses: 'ADDRESSES',
    queue: 'QUEUE',
    full: 'FULL',
    program: 'PROGRAM',
    where: 'Where they are',
    ports: 'PORTS',
    processes: 'PROCESSES',
    peers: 'PEERS',
    other: (namespaces: number, sockets: number, read: number, unread: number) => {
      const counted =
        read > 0 ? `${sockets} TCP socket(s) in ${read} of them not shown here` : 'none could be read';
      const rest = unread > 0 && read > 0 ? `; ${unread} could not be read (run as root)` : '';
      return `${namespaces} other network namespace(s): ${counted}${rest}. See: tcpscope --netns NAME, tcpscope ls --netns-pid PID`;
    },
    findings: 'Findings (tcpscope doctor)',
    nothing: 'nothing looks wrong in this snapshot.',
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
    details: 'details: tcpscope doctor',
    notJudged: (rules: string) =>
      `not judged from one snapshot: ${rules} (they need a window: tcpscope doctor)`,
  },
  zh: {
    sockets: (n: number, ns: string | undefined) =>
      `${ns ? `网络命名空间 ${ns} 中` : ''}共 ${n} 个 TCP 套接字`,
    state: '状态',
    count: '数量',
    listening: '监听端口',
    none: '没有监听的套接字',
    port: '端口',
    on: '范围',
    exposure: { all: '所有地址', loopback: '仅回环', specific: '指定地址' },
    addresses: '地址',
    queue: '队列',
    full: '已满',
    program: '程序',
    where: '分布',
    ports: '端口',
    processes: '进程',
    peers: '对端',
    other: (namespaces: number, sockets: number, read: number, unread: number) => {
      const counted = read > 0 ? `其中 ${read} 个共有 ${sockets} 个 TCP 套接字，未在此显示` : '都无法读取';
      const rest = unread > 0 && read > 0 ? `；${unread} 个无法读取（请以 root 运行）` : '';
      return `另有 ${namespaces} 个网络命名空间：${counted}${rest}。查看：tcpscope --netns 名称，tcpscope ls --netns-pid 进程号`;
    },
    findings: '诊断（tcpscope doctor）',
    nothing: '此快照中没有发现问题。',
    severity: { critical: '严重', warning: '警告', info: '提示' },
    details: '详情：tcpscope doctor',
    notJudged: (rules: string) => `一个快照无法判断：${rules}（需要观察期：tcpscope doctor）`,
  },
} as const;

/** The whole overview: title, states, listeners, where the sockets are, other namespaces, findings. */
export function renderOverviewText(
  v: Overview,
  findings: readonly OverviewFinding[],
  o: OverviewTextOptions,
): string {
  const w = WORDS[o.lang];
  const p = o.paint;
  const parts = [`${p.bold(w.sockets(v.total, v.netns ? netnsName(v.netns) : undefined))}  ${v.time}\n`];
  parts.push(statesText(v, o));
  parts.push(`${p.bold(w.listening)}\n${listeningText(v.listening, o.lang)}`);
  if (v.places.length > 0) parts.push(`${p.bold(w.where)}\n${placesText(v.places, o)}`);
  const other = v.otherNetns;
  if (other && other.namespaces > 0) {
    const read = other.namespaces - other.unread;
    parts.push(`${w.other(other.namespaces, other.sockets, read, other.unread)}\n`);
  }
  return parts.join('\n') + findingsText(findings, o);
}

function statesText(v: Overview, o: OverviewTextOptions): string {
  const w = WORDS[o.lang];
  const rows = Object.entries(v.states).sort((a, b) => b[1] - a[1]);
  const max = rows[0]?.[1] ?? 0;
  const width = Math.max(10, Math.min(40, o.columns - 30));
  return renderTable(rows, [
    { header: w.state, get: (r) => r[0], paint: (pad, s) => o.paint.state(s, pad) },
    { header: w.count, get: (r) => String(r[1]), align: 'right' },
    { header: '', get: (r) => bar(r[1], max, width) },
  ]);
}

/**
 * Each listener's own accept queue, `queued/backlog`: `0/511 + 0/511` for the v4 and v6 listeners
 * of a port (never their sum, which no socket has); beyond four, alike ones counted (`0/511 ×16`).
 */
export function queuesText(listeners: readonly ListenerQueue[]): string {
  const one = (q: ListenerQueue): string =>
    `${q.acceptQueue}${q.backlog !== undefined ? `/${q.backlog}` : ''}`;
  if (listeners.length <= 4) return listeners.map(one).join(' + ');
  const n = new Map<string, number>();
  for (const q of listeners) n.set(one(q), (n.get(one(q)) ?? 0) + 1);
  return [...n].map(([t, k]) => (k === 1 ? t : `${t} ×${k}`)).join(' + ');
}

function listeningText(list: readonly ListeningPort[], lang: OverviewLang): string {
  const w = WORDS[lang];
  if (list.length === 0) return `  ${w.none}\n`;
  return renderTable(list, [
    { header: w.port, get: (l) => String(l.port), align: 'right' },
    { header: w.on, get: (l) => w.exposure[l.exposure] },
    // A bound address as written, `[::]` for the IPv6 wildcard (whether v6-only or not).
    { header: w.addresses, get: (l) => l.addresses.map((a) => formatAddress(a, { v6only: true })).join(' ') },
    {
      header: w.queue,
      get: (l) => `${queuesText(l.listeners)}${l.full ? ` ${w.full}` : ''}`,
      align: 'right',
    },
    { header: w.program, get: (l) => (l.programs.length ? compactPrograms(l.programs) : '?') },
  ]);
}

/** `nginx[10],nginx[11],nginx[12]` as `nginx[10,11,12]`. */
function compactPrograms(programs: readonly string[]): string {
  const byCommand = new Map<string, string[]>();
  for (const p of programs) {
    const m = /^(.*)\[(\d+)\]$/.exec(p);
    const [cmd, pid] = m ? [m[1]!, m[2]!] : [p, ''];
    const l = byCommand.get(cmd);
    if (l) l.push(pid);
    else byCommand.set(cmd, [pid]);
  }
  return [...byCommand].map(([cmd, pids]) => `${cmd}[${pids.join(',')}]`).join(' ');
}

/** Sockets nobody holds, as the places list them: `(queued) nginx[12]`, in Chinese too. */
const KINDS_ZH: Readonly<Record<string, string>> = {
  queued: '(待 accept)',
  request: '(半连接)',
  orphan: '(孤儿)',
  timewait: '(TIME_WAIT)',
  none: '(无进程)',
};

function placesText(places: readonly StatePlaces[], o: OverviewTextOptions): string {
  const w = WORDS[o.lang];
  const key = (k: string): string =>
    o.lang === 'zh' ? k.replace(/^\(([a-z]+)\)/, (m, kind: string) => KINDS_ZH[kind] ?? m) : k;
  const list = (l: [string, number][]): string => l.map(([k, n]) => `${key(k)} ${n}`).join(', ');
  return renderTable(places, [
    { header: w.state, get: (p) => p.state, paint: (pad, s) => o.paint.state(s as TcpState, pad) },
    { header: w.count, get: (p) => String(p.count), align: 'right' },
    { header: w.ports, get: (p) => list(p.ports) },
    { header: w.processes, get: (p) => list(p.processes) },
    { header: w.peers, get: (p) => list(p.peers) },
  ]);
}

function findingsText(findings: readonly OverviewFinding[], o: OverviewTextOptions): string {
  const w = WORDS[o.lang];
  const head = o.paint.bold(w.findings);
  const skipped = o.skipped ?? [];
  const notJudged = skipped.length > 0 ? `\n  ${w.notJudged(skipped.map((k) => k.rule).join(', '))}` : '';
  if (findings.length === 0) return `\n${head}\n  ${w.nothing}${notJudged}\n`;
  const labels = findings.map((f) => w.severity[f.severity]);
  const width = Math.max(...labels.map((l) => (o.lang === 'zh' ? l.length * 2 : l.length)));
  const lines = findings.map((f, i) => {
    const label = labels[i]!;
    const pad = ' '.repeat(width - (o.lang === 'zh' ? label.length * 2 : label.length));
    return `  ${o.paint.severity(f.severity, label)}${pad} ${f.rule}  ${f.title}`;
  });
  return `\n${head}\n${lines.join('\n')}${notJudged}\n  ${w.details}\n`;
}
