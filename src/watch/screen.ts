/**
 * The screen of `tcpscope watch` drawn from its model (pure): lines exactly `cols` wide, at most
 * `rows` of them, with ANSI colour and reverse video only when asked. Marks are text too, so the
 * screen reads the same without colour: `>` the selected state, `+` a new connection, `~` one whose
 * state changed (its former state shown), `-` one that closed (kept a few refreshes, faint).
 */
import { stateText } from '../render/socket-text.js';
import { STATE_COLOURS } from '../render/state-colours.js';
import { textWidth } from '../render/width.js';
import { TCP_STATES } from '../tcp/states.js';
import { listing, markOf, sparkline, tops, type WatchModel } from './model.js';

export interface ScreenOptions {
  rows: number;
  cols: number;
  colour: boolean;
  /** Where the namespace is, for the title. */
  where: string;
  intervalMs: number;
  /** The filter being typed, when the `/` prompt is open. */
  prompt?: string;
  /** A one-line message (a bad filter), shown in the footer. */
  message?: string;
}

const SGR: Record<string, string> = {
  green: '32',
  yellow: '33',
  red: '31',
  cyan: '36',
  magenta: '35',
  gray: '90',
  bold: '1',
  faint: '2',
  reverse: '7',
};

/** `text` cut or padded to exactly `width` columns (wide characters counted as two). */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = textWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out + ' '.repeat(width - w);
}

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

const RATE_NAMES: [string, string][] = [
  ['TcpActiveOpens', 'active'],
  ['TcpPassiveOpens', 'passive'],
  ['TcpAttemptFails', 'failed'],
  ['TcpEstabResets', 'resets'],
  ['TcpRetransSegs', 'retrans'],
  ['TcpExtListenOverflows', 'overflows'],
  ['TcpExtSyncookiesSent', 'cookies'],
];

const HELP = [
  'tcpscope watch: keys',
  '',
  '  j k ↑ ↓    choose the state whose connections are listed',
  '  /          filter with the ls flags: --port 8080 --state ... --dst 10.0.0.0/8 -p nginx',
  '             (Enter applies, Esc cancels, Ctrl-U empties the line, an empty filter clears it)',
  '  s          sort the connections: new first, local, peer, process, queues',
  '  p          pause and resume the refresh',
  '  ?          this help (any key closes it)',
  '  q          quit (Ctrl-C too)',
  '',
  'Marks: + new since the last refreshes, ~ changed state (FROM>), - closed (fading).',
  'CHANGE is since the last refresh; the graph is the last minutes, each column one refresh.',
];

/** The whole screen, `rows` lines of `cols` columns. */
export function renderScreen(m: WatchModel, o: ScreenOptions): string[] {
  const paint = (colour: string | undefined, s: string): string =>
    o.colour && colour
      ? `\x1b[${colour
          .split('+')
          .map((c) => SGR[c])
          .join(';')}m${s}\x1b[0m`
      : s;
  const cols = Math.max(20, o.cols);
  const lines: string[] = [];
  const push = (text: string, colour?: string): void => {
    lines.push(paint(colour, fit(text, cols)));
  };
  const total = TCP_STATES.reduce((a, s) => a + m.counts[s], 0);
  push(
    `tcpscope watch${m.paused ? ' PAUSED' : ''} · ${m.time ? clock(m.time) : '--:--:--'} · every ${o.intervalMs / 1000}s · ${num(total)} sockets · ${o.where}`,
    'bold',
  );
  if (m.help) {
    for (const h of HELP) push(h);
    while (lines.length < o.rows) push('');
    return lines.slice(0, o.rows);
  }
  const graphWidth = Math.max(0, cols - 34);
  push(`  STATE          COUNT   CHANGE  ${graphWidth >= 8 ? 'LAST MINUTES' : ''}`, 'faint');
  for (const st of TCP_STATES) {
    const n = m.counts[st];
    const d = m.before ? n - m.before[st] : 0;
    const change = d === 0 ? '' : d > 0 ? `+${num(d)}` : `-${num(-d)}`;
    const sel = st === m.selected;
    const text = `${sel ? '>' : ' '} ${stateText(st).padEnd(12)} ${num(n).padStart(7)} ${change.padStart(8)}  ${sparkline(m.history[st], graphWidth)}`;
    const colour = sel ? `${STATE_COLOURS[st] ?? 'bold'}+reverse` : n > 0 ? STATE_COLOURS[st] : 'faint';
    push(text, colour);
  }
  const t = tops(m);
  const list = (xs: [string, number][]): string =>
    xs.length ? xs.map(([k, v]) => `${k} (${num(v)})`).join(' ') : '-';
  push(`── ${stateText(m.selected)} · sort ${m.sort}${m.filter ? ` · filter ${m.filter.text}` : ''}`, 'bold');
  push(
    `   ports ${list(t.ports)} · processes ${list(t.processes)}${m.selected === 'LISTEN' ? '' : ` · peers ${list(t.peers)}`}`,
  );
  const localW = Math.min(28, Math.max(14, Math.floor((cols - 20) / 3)));
  const peerW = localW;
  push(
    `  ${'LOCAL'.padEnd(localW)} ${'PEER'.padEnd(peerW)} ${'RECV-Q'.padStart(6)} ${'SEND-Q'.padStart(6)} PROCESS`,
    'faint',
  );

  // The bottom block: rates, findings, transitions, keys.
  const bottom: [string, string | undefined][] = [];
  const rates = RATE_NAMES.filter(([k]) => m.rates[k] !== undefined)
    .map(([k, label]) => `${label} ${(m.rates[k] ?? 0).toFixed((m.rates[k] ?? 0) < 10 ? 1 : 0)}`)
    .join(' · ');
  bottom.push([`per second: ${rates || '-'}`, undefined]);
  const findings = m.findings.filter((f) => f.severity !== 'info');
  if (findings.length === 0) bottom.push(['findings: none', 'faint']);
  else
    for (const f of findings.slice(0, 2))
      bottom.push([
        `${f.severity.toUpperCase()} ${f.title}`,
        f.severity === 'critical' ? 'red+bold' : 'yellow',
      ]);
  if (m.transitionsUnavailable !== undefined)
    bottom.push([`transitions: ${m.transitionsUnavailable}`, 'faint']);
  else {
    const last = m.transitions.slice(-2);
    if (last.length === 0) bottom.push(['transitions: none yet', 'faint']);
    for (const x of last)
      bottom.push([
        `${clock(x.time)} ${x.local} > ${x.remote} ${stateText(x.from)} -> ${stateText(x.to)}${x.process ? ` ${x.process}` : ''}`,
        'faint',
      ]);
  }
  if (o.prompt !== undefined) bottom.push([`filter (ls flags, Enter/Esc): ${o.prompt}_`, 'bold']);
  else if (o.message !== undefined) bottom.push([o.message, 'red']);
  else bottom.push(['q quit · j/k state · / filter · s sort · p pause · ? help', 'faint']);

  const room = Math.max(0, o.rows - lines.length - bottom.length);
  const conns = listing(m, room);
  const shown = conns.rows;
  for (const c of shown) {
    const mark = markOf(m, c);
    const sign = mark === 'new' ? '+' : mark === 'changed' ? '~' : mark === 'closed' ? '-' : ' ';
    const was = mark === 'changed' && c.previous ? `${stateText(c.previous)}> ` : '';
    const text = `${sign} ${fit(c.local, localW)} ${fit(c.remote, peerW)} ${String(c.recvQ).padStart(6)} ${String(c.sendQ).padStart(6)} ${was}${c.process}`;
    push(
      text,
      mark === 'new' ? 'green' : mark === 'changed' ? 'yellow' : mark === 'closed' ? 'faint' : undefined,
    );
  }
  if (conns.total > shown.length && shown.length > 0) {
    lines.pop();
    push(`  … ${num(conns.total - shown.length + 1)} more`, 'faint');
  }
  while (lines.length < o.rows - bottom.length) push('');
  for (const [text, colour] of bottom) push(text, colour);
  return lines.slice(0, o.rows);
}

/** The plain periodic output when stdout is not a terminal: one block per refresh. */
export function renderPlain(m: WatchModel, where: string): string {
  const total = TCP_STATES.reduce((a, s) => a + m.counts[s], 0);
  const out = [`# ${new Date(m.time).toISOString()} ${where} ${total} sockets`];
  for (const st of TCP_STATES) {
    const n = m.counts[st];
    const d = m.before ? n - m.before[st] : 0;
    if (n === 0 && d === 0) continue;
    out.push(
      `${stateText(st).padEnd(12)} ${String(n).padStart(7)} ${d === 0 ? '' : d > 0 ? `+${d}` : String(d)}`.trimEnd(),
    );
  }
  for (const f of m.findings.filter((x) => x.severity !== 'info')) out.push(`${f.severity}: ${f.title}`);
  return `${out.join('\n')}\n`;
}
