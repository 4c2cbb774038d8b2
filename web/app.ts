/**
 * The live page of `tcpscope serve`: one event per reading (server-sent events) updates the counts,
 * the diagram, the chart and the transitions; the connection table is fetched with the user's `ls`
 * filter and compared with the last one, so new connections and state changes are marked and
 * closed ones fade for a few readings. Everything the server sends is written as text, never HTML.
 */
import uPlot from 'uplot';
import { TCP_STATES, type TcpState } from '../src/tcp/states.js';

const STATES = TCP_STATES;
type State = TcpState;

const COLOURS: Record<State, string> = {
  ESTABLISHED: '#16a34a',
  SYN_SENT: '#ca8a04',
  SYN_RECV: '#ea580c',
  FIN_WAIT1: '#9333ea',
  FIN_WAIT2: '#a855f7',
  TIME_WAIT: '#6b7280',
  CLOSE: '#111827',
  CLOSE_WAIT: '#dc2626',
  LAST_ACK: '#c026d3',
  LISTEN: '#0891b2',
  CLOSING: '#7c3aed',
};

/** Readings a new, changed or closed connection stays marked. */
const MARK = 3;

interface LiveEvent {
  time: number;
  total: number;
  states: Record<State, number>;
  rates?: Record<string, number>;
  findings?: { rule: string; severity: string; title: string; explain?: string }[];
  transitions: { time: number; from: State; to: State; local: string; remote: string; process?: string }[];
  transitionsUnavailable?: string;
}

interface Endpoint {
  address: string;
  port: number;
}
interface SocketRow {
  state: State;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  owners?: { pid: number; command: string; cmdline?: string }[];
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function row(cells: (string | number)[], numeric: number[] = []): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    tr.append(el('td', String(c), numeric.includes(i) ? 'n' : undefined));
  });
  return tr;
}

const endpoint = (e: Endpoint): string =>
  `${e.address.includes(':') ? `[${e.address}]` : e.address === '0.0.0.0' ? '*' : e.address}:${e.port === 0 ? '*' : e.port}`;

async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { credentials: 'same-origin' });
  if (!r.ok) throw new Error((await r.text()).trim() || `${r.status}`);
  return (await r.json()) as T;
}

// --- state ---------------------------------------------------------------------------------------
let paused = false;
let selected: State | undefined;
let before: Record<State, number> | undefined;
/** Tables fetched: the clock the marks of the connection table count in. */
let readings = 0;
/** Readings pushed by the server. */
let samples = 0;
let chart: uPlot | undefined;
const chartData: number[][] = [[], ...STATES.map(() => [])];
const CHART_POINTS = 3600;

interface Kept {
  row: SocketRow;
  seenAt: number;
  changedAt?: number;
  previous?: State;
  closedAt?: number;
}
const conns = new Map<string, Kept>();
let firstTable = true;
let tableBusy = false;

// --- counts and diagram --------------------------------------------------------------------------
function drawCounts(e: LiveEvent): void {
  const body = $('states').querySelector('tbody')!;
  body.replaceChildren();
  for (const s of STATES) {
    const n = e.states[s] ?? 0;
    const d = before ? n - (before[s] ?? 0) : 0;
    const tr = row([s, n, d === 0 ? '' : d > 0 ? `+${d}` : String(d)], [1, 2]);
    tr.dataset['state'] = s;
    if (s === selected) tr.classList.add('selected');
    tr.addEventListener('click', () => {
      selected = selected === s ? undefined : s;
      const input = $<HTMLInputElement>('filter');
      input.value = selected ? `--state ${selected.toLowerCase().replace(/_/g, '-')}` : '';
      firstTable = true;
      conns.clear();
      void refreshTable();
    });
    body.append(tr);
  }
  $('total').textContent = String(e.total);
  before = e.states;
  $<HTMLImageElement>('diagram').src = `/api/diagram.svg?t=${e.time}`;
  $('clock').textContent = new Date(e.time).toLocaleTimeString();
}

// --- chart ---------------------------------------------------------------------------------------
function ensureChart(): void {
  if (chart) return;
  const box = $('chart');
  chart = new uPlot(
    {
      width: Math.max(300, box.clientWidth),
      height: 260,
      series: [{}, ...STATES.map((s) => ({ label: s, stroke: COLOURS[s], width: 1.5, show: s !== 'CLOSE' }))],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true } },
    },
    chartData as uPlot.AlignedData,
    box,
  );
  window.addEventListener('resize', () =>
    chart?.setSize({ width: Math.max(300, box.clientWidth), height: 260 }),
  );
}

function addPoint(time: number, counts: Partial<Record<State, number>>): void {
  chartData[0]!.push(time / 1000);
  STATES.forEach((s, i) => {
    chartData[i + 1]!.push(counts[s] ?? 0);
  });
  if (chartData[0]!.length > CHART_POINTS) for (const a of chartData) a.shift();
}

// --- the connection table ------------------------------------------------------------------------
const keyOf = (r: SocketRow): string => `${endpoint(r.local)} ${endpoint(r.remote)}`;

async function refreshTable(): Promise<void> {
  if (tableBusy) return;
  tableBusy = true;
  try {
    const filter = $<HTMLInputElement>('filter').value;
    let snap: { sockets: SocketRow[]; matched: number };
    try {
      snap = await getJson(`/api/snapshot?limit=300&filter=${encodeURIComponent(filter)}`);
      $('filter-error').textContent = '';
    } catch (e) {
      $('filter-error').textContent = (e as Error).message;
      return;
    }
    readings++;
    const seen = new Set<string>();
    for (const r of snap.sockets) {
      const k = keyOf(r);
      seen.add(k);
      const kept = conns.get(k);
      if (!kept || kept.closedAt !== undefined) conns.set(k, { row: r, seenAt: firstTable ? 0 : readings });
      else {
        if (kept.row.state !== r.state) {
          kept.previous = kept.row.state;
          kept.changedAt = readings;
        }
        kept.row = r;
      }
    }
    for (const [k, kept] of conns) {
      if (seen.has(k)) continue;
      if (kept.closedAt === undefined) kept.closedAt = readings;
      else if (readings - kept.closedAt >= MARK) conns.delete(k);
    }
    firstTable = false;
    drawTable(snap.matched);
  } finally {
    tableBusy = false;
  }
}

function drawTable(matched: number): void {
  const body = $('conns').querySelector('tbody')!;
  body.replaceChildren();
  const rows = [...conns.values()].sort(
    (a, b) => (b.closedAt ?? b.changedAt ?? b.seenAt) - (a.closedAt ?? a.changedAt ?? a.seenAt),
  );
  for (const k of rows) {
    const r = k.row;
    const owner = r.owners?.[0];
    const state =
      k.changedAt !== undefined && readings - k.changedAt < MARK ? `${k.previous} → ${r.state}` : r.state;
    const tr = row(
      [
        state,
        endpoint(r.local),
        endpoint(r.remote),
        r.recvQ,
        r.sendQ,
        owner ? `${owner.command}/${owner.pid}` : '',
      ],
      [3, 4],
    );
    if (owner?.cmdline) tr.lastElementChild!.setAttribute('title', owner.cmdline);
    tr.dataset['key'] = keyOf(r);
    tr.dataset['state'] = r.state;
    if (k.closedAt !== undefined) tr.className = readings - k.closedAt >= 1 ? 'closed gone' : 'closed';
    else if (k.changedAt !== undefined && readings - k.changedAt < MARK) tr.className = 'changed';
    else if (k.seenAt > 0 && readings - k.seenAt < MARK) tr.className = 'new';
    body.append(tr);
  }
  const live = rows.filter((k) => k.closedAt === undefined).length;
  $('conns-count').textContent = matched > live ? `(${live} of ${matched} shown)` : `(${matched})`;
}

// --- findings, rates, listeners, transitions ----------------------------------------------------
/** The doctor's findings the last reading carried (it runs every few readings; none before it ran). */
function drawFindings(findings: LiveEvent['findings']): void {
  if (!findings) return;
  const list = $('findings');
  list.replaceChildren();
  if (findings.length === 0) list.append(el('li', 'nothing wrong found', 'faint'));
  for (const f of findings) {
    const li = el('li', `${f.severity}: ${f.title}`, f.severity);
    if (f.explain) {
      // A path the server made, under /explain/ only.
      const a = el('a', 'why and how to fix') as HTMLAnchorElement;
      a.href = `/explain/${f.explain.split('/').map(encodeURIComponent).join('/')}`;
      li.append(' ', a);
    }
    list.append(li);
  }
}

function drawRates(rates: Record<string, number> | undefined): void {
  const body = $('rates').querySelector('tbody')!;
  body.replaceChildren();
  for (const [k, v] of Object.entries(rates ?? {})) body.append(row([k, v.toFixed(1)], [1]));
}

async function refreshListeners(): Promise<void> {
  try {
    const d = await getJson<{
      listeners: { local: string; process: string; cmdline?: string; queue: number; backlog: number }[];
    }>('/api/listeners');
    const body = $('listeners').querySelector('tbody')!;
    body.replaceChildren();
    for (const l of d.listeners)
      body.append(row([l.local, l.process, l.cmdline ?? '', l.queue, l.backlog], [3, 4]));
  } catch {
    // Kept as it was.
  }
}

function addTransitions(e: LiveEvent): void {
  $('transitions-note').textContent = e.transitionsUnavailable ?? '';
  const list = $('transitions');
  for (const t of e.transitions) {
    const line = `${new Date(t.time).toLocaleTimeString()} ${t.local} ${t.remote} ${t.from} → ${t.to}${t.process ? ` ${t.process}` : ''}`;
    list.prepend(el('li', line));
  }
  while (list.children.length > 200) list.lastElementChild!.remove();
}

// --- wiring --------------------------------------------------------------------------------------
function onSample(e: LiveEvent): void {
  addPoint(e.time, e.states);
  if (paused) return;
  drawCounts(e);
  chart?.setData(chartData as uPlot.AlignedData);
  drawRates(e.rates);
  drawFindings(e.findings);
  addTransitions(e);
  void refreshTable();
  // Listeners change slowly: every fifth reading.
  if (++samples % 5 === 0) void refreshListeners();
}

async function start(): Promise<void> {
  try {
    const h = await getJson<{ points: { time: number; counts: Record<State, number> }[] }>('/api/history');
    for (const p of h.points) addPoint(p.time, p.counts);
  } catch {
    // The chart starts empty.
  }
  ensureChart();
  void refreshListeners();
  const status = $('status');
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'status live';
  });
  es.addEventListener('error', () => {
    status.textContent = 'reconnecting';
    status.className = 'status down';
  });
  es.addEventListener('sample', (m) => onSample(JSON.parse((m as MessageEvent<string>).data) as LiveEvent));
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'resume' : 'pause';
    status.textContent = paused ? 'paused' : 'live';
  });
  $('filter-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    firstTable = true;
    conns.clear();
    void refreshTable();
  });
}

void start();
