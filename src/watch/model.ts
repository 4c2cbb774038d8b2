/**
 * What `tcpscope watch` shows, as data (pure): the per-state counts with their change since the
 * last refresh and a few minutes of history, the connections of the selected state with those new,
 * changed or closed since recent refreshes marked (by socket identity across snapshots), the top
 * ports, processes and peers of that state, counter rates, findings and the transition stream. The
 * screen is drawn from it by screen.ts; keys change it through the functions below.
 */

import type { DoctorConfig } from '../doctor/config.js';
import type { Diagnosis } from '../doctor/diagnose.js';
import type { DoctorInput } from '../doctor/types.js';
import { formatEndpoint } from '../net/endpoint.js';
import { sparkline as drawSparkline } from '../render/sparkline.js';
import type { Snapshot, Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';

/** How many refreshes a new, changed or closed connection stays marked. */
export const MARK_REFRESHES = 3;
/** Refreshes of history kept for the sparklines. */
export const HISTORY = 300;

export type SortKey = 'new' | 'local' | 'peer' | 'process' | 'queue';
export const SORT_KEYS: readonly SortKey[] = ['new', 'local', 'peer', 'process', 'queue'];

export interface WatchFinding {
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  /** Where the knowledge base explains it, under `/explain/` (`topic/syn-flood`). */
  explain?: string;
}

export interface WatchTransition {
  /** Wall-clock milliseconds. */
  time: number;
  from: TcpState;
  to: TcpState;
  local: string;
  remote: string;
  process?: string;
}

/** One refresh's reading. */
export interface WatchSample {
  /** Wall-clock milliseconds. */
  time: number;
  sockets: readonly Socket[];
  /** Counters per second since the previous reading, under nstat's names. */
  rates?: Readonly<Record<string, number>>;
  findings?: readonly WatchFinding[];
  /** Transitions seen since the previous reading (tracefs), oldest first. */
  transitions?: readonly WatchTransition[];
  /** Why there is no transition stream, when there is none. */
  transitionsUnavailable?: string;
  /** The reading's table, for servers that serve more than the view keeps. */
  snapshot?: Snapshot;
  /** Absolute counters under nstat's names. */
  counters?: Readonly<Record<string, number>>;
  /** The doctor's last run, whole, for the `doctor --json` view. */
  doctor?: { input: DoctorInput; diagnosis: Diagnosis; config: DoctorConfig };
}

/** A connection as the view keeps it across refreshes. */
export interface ConnView {
  id: string;
  state: TcpState;
  /** The state it had before its last change, when it changed while watched. */
  previous?: TcpState;
  local: string;
  remote: string;
  localPort: number;
  process: string;
  recvQ: number;
  sendQ: number;
  /** The refresh it was first seen at; 0 for those already there at the start. */
  seenAt: number;
  /** The refresh its state last changed at. */
  changedAt?: number;
  /** The last refresh it was in the table at. */
  lastSeen: number;
  /** The refresh it disappeared at (kept a few refreshes, fading). */
  closedAt?: number;
  socket?: Socket;
  /** What `process` was made from (the socket's first owner, or its attribution), to make it again only when that changes. */
  processFrom?: object;
}

export interface WatchModel {
  refresh: number;
  time: number;
  counts: Record<TcpState, number>;
  /** Counts at the previous refresh; undefined at the first. */
  before?: Record<TcpState, number>;
  history: Record<TcpState, number[]>;
  conns: Map<string, ConnView>;
  selected: TcpState;
  sort: SortKey;
  /** The `ls` filter flags as typed, and the predicate they make. */
  filter?: { text: string; match: (s: Socket) => boolean };
  paused: boolean;
  help: boolean;
  rates: Readonly<Record<string, number>>;
  findings: readonly WatchFinding[];
  transitions: WatchTransition[];
  transitionsUnavailable?: string;
}

function zeros(): Record<TcpState, number> {
  return Object.fromEntries(TCP_STATES.map((s) => [s, 0])) as Record<TcpState, number>;
}

export function createModel(selected: TcpState = 'ESTABLISHED'): WatchModel {
  return {
    refresh: 0,
    time: 0,
    counts: zeros(),
    history: Object.fromEntries(TCP_STATES.map((s) => [s, [] as number[]])) as unknown as Record<
      TcpState,
      number[]
    >,
    conns: new Map(),
    selected,
    sort: 'new',
    paused: false,
    help: false,
    rates: {},
    findings: [],
    transitions: [],
  };
}

/** A socket's identity across refreshes: its 4-tuple (a socket keeps it from SYN to close). */
export function connId(s: Socket): string {
  return `${s.family} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}${s.state === 'LISTEN' ? ' L' : ''}`;
}

function processName(s: Socket): string {
  const o = s.owners?.[0];
  if (o) return `${o.command}[${o.pid}]`;
  const a = s.attribution;
  if (a) return a.command ? `(${a.kind} ${a.command})` : `(${a.kind})`;
  return '';
}

/** Takes in one reading: counts, history, connections marked new, changed or closed. */
export function applySample(m: WatchModel, sample: WatchSample): void {
  const first = m.refresh === 0;
  m.refresh++;
  m.time = sample.time;
  if (first) delete m.before;
  else m.before = m.counts;
  const counts = zeros();
  for (const s of sample.sockets) counts[s.state]++;
  m.counts = counts;
  for (const st of TCP_STATES) {
    const h = m.history[st];
    h.push(counts[st]);
    if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
  }
  // Views are kept and updated in place across refreshes (a busy table would otherwise make tens of
  // thousands of objects a second for the collector); `lastSeen` tells which are gone.
  for (const s of sample.sockets) {
    const id = connId(s);
    const old = m.conns.get(id);
    if (old && old.closedAt === undefined) {
      if (old.state !== s.state) {
        old.previous = old.state;
        old.changedAt = m.refresh;
        old.state = s.state;
      }
      old.recvQ = s.recvQ;
      old.sendQ = s.sendQ;
      old.socket = s;
      old.lastSeen = m.refresh;
      continue;
    }
    // The texts are made when the connection is listed (only the selected state's are).
    m.conns.set(id, {
      id,
      state: s.state,
      local: '',
      remote: '',
      localPort: s.local.port,
      process: old?.process ?? '',
      recvQ: s.recvQ,
      sendQ: s.sendQ,
      seenAt: first ? 0 : m.refresh,
      lastSeen: m.refresh,
      socket: s,
    });
  }
  for (const [id, c] of m.conns) {
    if (c.lastSeen === m.refresh) continue;
    if (c.closedAt === undefined) {
      c.closedAt = m.refresh;
      delete c.socket;
    } else if (m.refresh - c.closedAt >= MARK_REFRESHES) m.conns.delete(id);
  }
  if (sample.rates) m.rates = sample.rates;
  if (sample.findings) m.findings = sample.findings;
  if (sample.transitions) {
    m.transitions.push(...sample.transitions);
    if (m.transitions.length > 200) m.transitions.splice(0, m.transitions.length - 200);
  }
  if (sample.transitionsUnavailable !== undefined) m.transitionsUnavailable = sample.transitionsUnavailable;
}

export type Mark = 'new' | 'changed' | 'closed' | undefined;

/** How a connection is marked at the model's refresh. */
export function markOf(m: WatchModel, c: ConnView): Mark {
  if (c.closedAt !== undefined) return 'closed';
  if (c.changedAt !== undefined && m.refresh - c.changedAt < MARK_REFRESHES) return 'changed';
  if (c.seenAt > 0 && m.refresh - c.seenAt < MARK_REFRESHES) return 'new';
  return undefined;
}

const byText = (x: string, y: string): number => x.localeCompare(y);

/**
 * Fills a connection's texts from its socket, once: the endpoints never change (they are its
 * identity), the process only when the socket's owner or attribution does (owners carried between
 * lookups are the same objects). A closed one keeps its last. Made again every refresh for every
 * listed connection, the texts were most of what the collector had to sweep.
 */
function describe(c: ConnView): void {
  const s = c.socket;
  if (!s) return;
  if (c.local === '') {
    c.local = formatEndpoint(s.local.address, s.local.port);
    c.remote = s.state === 'LISTEN' ? '*' : formatEndpoint(s.remote.address, s.remote.port);
  }
  const from = s.owners?.[0] ?? s.attribution;
  if (from === undefined || from !== c.processFrom) {
    c.process = processName(s) || c.process;
    if (from !== undefined) c.processFrom = from;
    else delete c.processFrom;
  }
}

/** The connections listed for the selected state (closed ones whose last state it was), filtered and sorted. */
export function listed(m: WatchModel): ConnView[] {
  const out: ConnView[] = [];
  for (const c of m.conns.values()) {
    if (c.state !== m.selected) continue;
    if (m.filter && (c.socket ? !m.filter.match(c.socket) : true)) continue;
    describe(c);
    out.push(c);
  }
  const rank = (c: ConnView): number => {
    const k = markOf(m, c);
    return k === 'new' ? 0 : k === 'changed' ? 1 : k === 'closed' ? 3 : 2;
  };
  const by: Record<SortKey, (a: ConnView, b: ConnView) => number> = {
    new: (a, b) => rank(a) - rank(b) || b.seenAt - a.seenAt || a.localPort - b.localPort,
    local: (a, b) => a.localPort - b.localPort || a.local.localeCompare(b.local),
    peer: (a, b) => a.remote.localeCompare(b.remote),
    process: (a, b) => byText(a.process, b.process) || a.localPort - b.localPort,
    queue: (a, b) => b.recvQ + b.sendQ - (a.recvQ + a.sendQ),
  };
  return out.sort(by[m.sort]);
}

/** The top values of the selected state's sockets by local port, process and peer address. */
export function tops(
  m: WatchModel,
  n = 3,
): { ports: [string, number][]; processes: [string, number][]; peers: [string, number][] } {
  const ports = new Map<number, number>();
  const processes = new Map<string, number>();
  const peers = new Map<string, number>();
  const add = <K>(map: Map<K, number>, k: K): void => {
    map.set(k, (map.get(k) ?? 0) + 1);
  };
  for (const c of m.conns.values()) {
    if (c.state !== m.selected || c.closedAt !== undefined || !c.socket) continue;
    if (m.filter && !m.filter.match(c.socket)) continue;
    describe(c);
    add(ports, c.localPort);
    add(processes, c.process || '-');
    if (c.state !== 'LISTEN') add(peers, c.socket.remote.address);
  }
  const top = (map: Map<string, number>): [string, number][] =>
    [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  const byPort = [...ports]
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .slice(0, n)
    .map(([p, k]): [string, number] => [String(p), k]);
  return { ports: byPort, processes: top(processes), peers: top(peers) };
}

/** The next or previous state in the table's order. */
export function moveSelection(m: WatchModel, step: 1 | -1): void {
  const i = TCP_STATES.indexOf(m.selected);
  m.selected = TCP_STATES[(i + step + TCP_STATES.length) % TCP_STATES.length]!;
}

export function nextSort(m: WatchModel): void {
  m.sort = SORT_KEYS[(SORT_KEYS.indexOf(m.sort) + 1) % SORT_KEYS.length]!;
}

/** The last `width` values as a sparkline, scaled from 0 to their own maximum. */
export function sparkline(values: readonly number[], width: number): string {
  return drawSparkline(values.slice(-width), width, { fromZero: true });
}
