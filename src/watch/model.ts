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
import { KeyIndex } from '../net/key-index.js';
import { ownerCarry } from '../probe/owner-carry.js';
import { sparkline as drawSparkline } from '../render/sparkline.js';
import { bestListener, queueKindOf } from '../snapshot/attribute.js';
import type { Attribution, Owner, Snapshot, Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import { addressAt, peerKey, peerOrder, socketAt, tableOf, type WatchTable } from './table.js';

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
  /** The table as columns (the live view reads this); made from `sockets` when absent. */
  table?: WatchTable | undefined;
  /** The owners of an inode as the last lookup found them (with `table`). */
  ownersOf?: ((inode: number) => readonly Owner[] | undefined) | undefined;
  /** Changes when the owners were looked up again (what `ownersOf` answers changed). */
  ownersVersion?: number | undefined;
  /** The table as records (servers, tests); with owners when they were looked up or carried. */
  sockets?: readonly Socket[] | undefined;
  /** Counters per second since the previous reading, under nstat's names. */
  rates?: Readonly<Record<string, number>> | undefined;
  findings?: readonly WatchFinding[] | undefined;
  /** Transitions seen since the previous reading (tracefs), oldest first. */
  transitions?: readonly WatchTransition[] | undefined;
  /** Why there is no transition stream, when there is none. */
  transitionsUnavailable?: string | undefined;
  /** The reading's table as records, for servers that serve more than the view keeps. */
  snapshot?: Snapshot | undefined;
  /** Absolute counters under nstat's names. */
  counters?: Readonly<Record<string, number>> | undefined;
  /** The doctor's last run, whole, for the `doctor --json` view. */
  doctor?: { input: DoctorInput; diagnosis: Diagnosis; config: DoctorConfig } | undefined;
}

/** A sample read as records (servers: they serve the sockets themselves). */
export type RecordSample = WatchSample & { sockets: readonly Socket[]; snapshot: Snapshot };

/** A connection as the view keeps it across refreshes (its texts made only once it is shown). */
export interface ConnView {
  /** Its identity: the hash of family and 4-tuple. */
  id: number;
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
  /** Its row in the current table (-1 once closed). */
  row: number;
  /** A second socket of a tuple already listed (listeners sharing a port): counted, not listed. */
  dup?: true;
  /** Its process while its owners are those of `whoVersion` (sockets with an inode). */
  who?: Who;
  whoVersion?: number;
  /** What `process` was made from (an owner, or the listener it is attributed to), to make it again only when that changes. */
  processFrom?: object;
}

/** A listener as attribution needs it: port, family, address, and the lowest pid holding it. */
interface ListenerRef {
  family: number;
  address: string;
  owner?: Owner;
  /** What its request sockets and its queued children are called (their process key). */
  request: Who;
  queued: Who;
}

/** A process as the view names it: an owner's `command[pid]`, or an attribution in brackets. */
interface Who {
  text: string;
  /** Scratch count while tallying (0 between tallies). */
  n?: number;
}

export interface WatchModel {
  refresh: number;
  time: number;
  counts: Record<TcpState, number>;
  /** Counts at the previous refresh; undefined at the first. */
  before?: Record<TcpState, number>;
  history: Record<TcpState, number[]>;
  /** The current table, each row's view, and each connection's row by its identity. */
  table: WatchTable;
  views: ConnView[];
  index: KeyIndex;
  /** The index and array the next refresh fills. */
  spare: { index: KeyIndex; views: ConnView[] };
  /** Connections gone from the table, kept a few refreshes. */
  closed: ConnView[];
  ownersOf: (inode: number) => readonly Owner[] | undefined;
  ownersVersion?: number;
  /** Counts `ownersVersion` for samples that do not say it (records: each has its own owners). */
  whoEpoch: number;
  /** Listeners by port, for sockets no process holds (their queue's owner). */
  listeners: Map<number, ListenerRef[]>;
  /** Scratch counts by local port (all zero between uses). */
  portCounts: Uint32Array;
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

const noOwners = (): undefined => undefined;

export function createModel(selected: TcpState = 'ESTABLISHED'): WatchModel {
  return {
    refresh: 0,
    time: 0,
    counts: zeros(),
    history: Object.fromEntries(TCP_STATES.map((s) => [s, [] as number[]])) as unknown as Record<
      TcpState,
      number[]
    >,
    table: tableOf([]),
    views: [],
    index: new KeyIndex(0),
    spare: { index: new KeyIndex(0), views: [] },
    closed: [],
    ownersOf: noOwners,
    whoEpoch: 0,
    listeners: new Map(),
    portCounts: new Uint32Array(65536),
    selected,
    sort: 'new',
    paused: false,
    help: false,
    rates: {},
    findings: [],
    transitions: [],
  };
}

/** Owners of records by inode, for a sample given as records. */
function ownersByInode(sockets: readonly Socket[]): (inode: number) => readonly Owner[] | undefined {
  const carry = ownerCarry(1);
  carry.apply(sockets, true);
  return carry.ownersOf;
}

/** Takes in one reading: counts, history, connections marked new, changed or closed. */
export function applySample(m: WatchModel, sample: WatchSample): void {
  const t = sample.table ?? tableOf(sample.sockets ?? []);
  const first = m.refresh === 0;
  const old = m.table;
  m.refresh++;
  m.time = sample.time;
  if (first) delete m.before;
  else m.before = m.counts;
  const counts = zeros();
  const codeCounts = new Uint32Array(TCP_STATES.length + 1);
  for (let i = 0; i < t.n; i++) codeCounts[t.state[i]!]!++;
  for (let c = 1; c <= TCP_STATES.length; c++) counts[TCP_STATES[c - 1]!] = codeCounts[c]!;
  m.counts = counts;
  for (const st of TCP_STATES) {
    const h = m.history[st];
    h.push(counts[st]);
    if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
  }
  // Views are kept and updated in place across refreshes, found by the tuple's hash: a busy table
  // would otherwise make objects and strings for each of its sockets every second.
  // Two indexes and two arrays of views in turn, their memory kept (the last refresh's are read
  // while this one's are made).
  const before = m.index;
  const index = m.spare.index.reset(t.n);
  const views = m.spare.views;
  views.length = t.n;
  const prev = m.views;
  // The kernel lists sockets in the same order from one dump to the next: the previous table is
  // followed row by row, and the index asked only where it parts.
  let j = 0;
  for (let i = 0; i < t.n; i++) {
    const id = t.key[i]!;
    const state = TCP_STATES[t.state[i]! - 1]!;
    const dup = !index.add(id, i);
    let r = -1;
    if (!dup) {
      if (j < prev.length && prev[j]!.id === id && !prev[j]!.dup) r = j;
      else r = before.get(id);
      if (r >= 0) j = r + 1;
    }
    const v = r >= 0 ? prev[r] : undefined;
    if (v) {
      if (v.state !== state) {
        v.previous = v.state;
        v.changedAt = m.refresh;
        v.state = state;
      }
      v.recvQ = t.recvQ[i]!;
      v.sendQ = t.sendQ[i]!;
      v.lastSeen = m.refresh;
      v.row = i;
      views[i] = v;
      continue;
    }
    const nv: ConnView = {
      id,
      state,
      local: '',
      remote: '',
      localPort: t.lport[i]!,
      process: '',
      recvQ: t.recvQ[i]!,
      sendQ: t.sendQ[i]!,
      seenAt: first ? 0 : m.refresh,
      lastSeen: m.refresh,
      row: i,
    };
    // Two sockets of one tuple (listeners sharing a port): the first keeps the identity.
    if (dup) nv.dup = true;
    views[i] = nv;
  }
  // Gone since the last refresh: a closed one in the selected state gets its texts from the table
  // it was last in, so it can be shown fading.
  const closed: ConnView[] = [];
  for (const c of m.closed) if (m.refresh - c.closedAt! < MARK_REFRESHES) closed.push(c);
  for (const v of m.views) {
    if (v.lastSeen === m.refresh || v.dup) continue;
    v.closedAt = m.refresh;
    if (v.state === m.selected && v.local === '') describe(m, v, old);
    v.row = -1;
    closed.push(v);
  }
  m.spare = { index: before, views: m.views };
  m.index = index;
  m.closed = closed;
  m.table = t;
  m.views = views;
  m.ownersOf = sample.ownersOf ?? (sample.sockets ? ownersByInode(sample.sockets) : noOwners);
  if (sample.ownersVersion === undefined || sample.ownersVersion !== m.ownersVersion) m.whoEpoch++;
  if (sample.ownersVersion !== undefined) m.ownersVersion = sample.ownersVersion;
  else delete m.ownersVersion;
  m.listeners = listenersOf(t, m.ownersOf);
  if (sample.rates) m.rates = sample.rates;
  if (sample.findings) m.findings = sample.findings;
  if (sample.transitions) {
    m.transitions.push(...sample.transitions);
    if (m.transitions.length > 200) m.transitions.splice(0, m.transitions.length - 200);
  }
  if (sample.transitionsUnavailable !== undefined) m.transitionsUnavailable = sample.transitionsUnavailable;
}

const LISTEN_CODE = TCP_STATES.indexOf('LISTEN') + 1;

function listenersOf(
  t: WatchTable,
  ownersOf: (inode: number) => readonly Owner[] | undefined,
): Map<number, ListenerRef[]> {
  const out = new Map<number, ListenerRef[]>();
  for (let i = 0; i < t.n; i++) {
    if (t.state[i] !== LISTEN_CODE) continue;
    const owners = t.inode[i] ? ownersOf(t.inode[i]!) : undefined;
    const owner = owners?.length ? owners.reduce((a, b) => (b.pid < a.pid ? b : a)) : undefined;
    const address = addressAt(t, i, false);
    const ref: ListenerRef = {
      family: t.family[i]!,
      address,
      request: { text: owner ? `(request ${owner.command})` : '(request)' },
      queued: { text: owner ? `(queued ${owner.command})` : '(queued)' },
    };
    if (owner) ref.owner = owner;
    const list = out.get(t.lport[i]!);
    if (list) list.push(ref);
    else out.set(t.lport[i]!, [ref]);
  }
  return out;
}

/** The listener a connection without an inode came through, as `snapshot/attribute.ts` finds it. */
function listenerFor(m: WatchModel, t: WatchTable, i: number): ListenerRef | undefined {
  return bestListener(m.listeners.get(t.lport[i]!), addressAt(t, i, false), t.family[i]!, (l) => l.address);
}

/** Processes by pid (each socket has an owner object of its own; the process is what is counted). */
const byPid = new Map<number, Who & { command: string }>();
const TIMEWAIT: Who = { text: '(timewait)' };
const ORPHAN: Who = { text: '(orphan)' };
const NOBODY: Who = { text: '' };

/**
 * Row `i`'s process, as an object shared by every row of it (counted and compared without making
 * a string per row): its owner's, or that of the listener it is queued on.
 */
function whoAt(m: WatchModel, t: WatchTable, i: number): Who {
  const inode = t.inode[i]!;
  if (inode !== 0) {
    // Kept on the row's view until the owners are looked up again.
    const v = m.views[i];
    if (v !== undefined && v.row === i && v.whoVersion === m.whoEpoch) return v.who!;
    const o = m.ownersOf(inode)?.[0];
    let w: Who = NOBODY;
    if (o) {
      let p = byPid.get(o.pid);
      if (p === undefined || p.command !== o.command) {
        p = { text: `${o.command}[${o.pid}]`, command: o.command };
        if (byPid.size >= 1 << 16) byPid.clear();
        byPid.set(o.pid, p);
      }
      w = p;
    }
    if (v !== undefined && v.row === i) {
      v.who = w;
      v.whoVersion = m.whoEpoch;
    }
    return w;
  }
  const kind = queueKindOf(TCP_STATES[t.state[i]! - 1]!);
  if (kind === 'timewait') return TIMEWAIT;
  const l = kind === 'orphan' ? undefined : listenerFor(m, t, i);
  if (!l) return ORPHAN;
  return kind === 'request' ? l.request : l.queued;
}

/** The attribution of row `i` when no process holds it (for a filter's record). */
function attributionAt(m: WatchModel, t: WatchTable, i: number): Attribution | undefined {
  if (t.inode[i] !== 0) return undefined;
  const kind = queueKindOf(TCP_STATES[t.state[i]! - 1]!);
  const l = kind === 'request' || kind === 'queued' ? listenerFor(m, t, i) : undefined;
  if (!l) return { kind: kind === 'timewait' ? 'timewait' : 'orphan' };
  const a: Attribution = { kind, port: t.lport[i]! };
  if (l.owner) {
    a.pid = l.owner.pid;
    a.command = l.owner.command;
  }
  return a;
}

export type Mark = 'new' | 'changed' | 'closed' | undefined;

/** How a connection is marked at the model's refresh. */
export function markOf(m: WatchModel, c: ConnView): Mark {
  if (c.closedAt !== undefined) return 'closed';
  if (c.changedAt !== undefined && m.refresh - c.changedAt < MARK_REFRESHES) return 'changed';
  if (c.seenAt > 0 && m.refresh - c.seenAt < MARK_REFRESHES) return 'new';
  return undefined;
}

/**
 * Fills a connection's texts from its row: the endpoints once (they are its identity), the process
 * again only when what it is made from changes (owners carried between lookups are the same
 * objects). A closed one keeps its last.
 */
function describe(m: WatchModel, c: ConnView, t: WatchTable = m.table): void {
  const i = c.row;
  if (i < 0) return;
  if (c.local === '') {
    c.local = formatEndpoint(addressAt(t, i, false), t.lport[i]!);
    c.remote = c.state === 'LISTEN' ? '*' : formatEndpoint(addressAt(t, i, true), t.rport[i]!);
  }
  const who = whoAt(m, t, i);
  if (who !== c.processFrom) {
    c.process = who.text || c.process;
    c.processFrom = who;
  }
}

/** Whether row `i` passes the filter (a record is made only when there is one). */
function passes(m: WatchModel, i: number): boolean {
  if (!m.filter) return true;
  const t = m.table;
  return m.filter.match(
    socketAt(t, i, t.inode[i] ? m.ownersOf(t.inode[i]!) : undefined, attributionAt(m, t, i)),
  );
}

/**
 * The first `limit` connections listed for the selected state (closed ones whose last state it
 * was), filtered and sorted, and how many there are in all. Only the rows returned get texts.
 */
export function listing(
  m: WatchModel,
  limit = Number.POSITIVE_INFINITY,
): { rows: ConnView[]; total: number } {
  const t = m.table;
  const code = TCP_STATES.indexOf(m.selected) + 1;
  const rank = (c: ConnView): number => {
    const k = markOf(m, c);
    return k === 'new' ? 0 : k === 'changed' ? 1 : k === 'closed' ? 3 : 2;
  };
  const peer = (c: ConnView): number => (c.row >= 0 ? peerOrder(t, c.row) : Number.MAX_SAFE_INTEGER);
  const processOf = (c: ConnView): string => (c.row >= 0 ? whoAt(m, t, c.row).text : c.process);
  const by: Record<SortKey, (a: ConnView, b: ConnView) => number> = {
    new: (a, b) => rank(a) - rank(b) || b.seenAt - a.seenAt || a.localPort - b.localPort || a.id - b.id,
    local: (a, b) => a.localPort - b.localPort || a.id - b.id,
    peer: (a, b) => peer(a) - peer(b) || a.id - b.id,
    process: (a, b) => processOf(a).localeCompare(processOf(b)) || a.localPort - b.localPort || a.id - b.id,
    queue: (a, b) => b.recvQ + b.sendQ - (a.recvQ + a.sendQ) || a.id - b.id,
  };
  const cmp = by[m.sort];
  // The best `limit` kept in order as the rows go by: no sort of the whole state.
  const best: ConnView[] = [];
  let total = 0;
  const offer = (c: ConnView): void => {
    total++;
    keepBest(best, c, limit, cmp);
  };
  for (let i = 0; i < t.n; i++) {
    if (t.state[i] !== code) continue;
    const v = m.views[i]!;
    if (v.dup) continue;
    if (!passes(m, i)) continue;
    offer(v);
  }
  for (const c of m.closed) {
    if (c.state !== m.selected) continue;
    if (m.filter && c.local === '') continue;
    offer(c);
  }
  for (const c of best) describe(m, c);
  return { rows: best, total };
}

/** Puts `x` into `best` (sorted by `cmp`, at most `n` long) if it is among the first `n`. */
function keepBest<T>(best: T[], x: T, n: number, cmp: (a: T, b: T) => number): void {
  if (best.length >= n && cmp(x, best[best.length - 1]!) >= 0) return;
  let at = best.length;
  while (at > 0 && cmp(x, best[at - 1]!) < 0) at--;
  best.splice(at, 0, x);
  if (best.length > n) best.pop();
}

/** Every connection listed for the selected state (tests; the screen asks for what fits). */
export function listed(m: WatchModel): ConnView[] {
  return listing(m).rows;
}

/** The top values of the selected state's sockets by local port, process and peer address. */
export function tops(
  m: WatchModel,
  n = 3,
): { ports: [string, number][]; processes: [string, number][]; peers: [string, number][] } {
  const t = m.table;
  const code = TCP_STATES.indexOf(m.selected) + 1;
  const ports = m.portCounts;
  const touched: number[] = [];
  const who: Who[] = [];
  const peers = new Map<number, { n: number; row: number }>();
  const listen = m.selected === 'LISTEN';
  for (let i = 0; i < t.n; i++) {
    if (t.state[i] !== code) continue;
    if (m.filter && !passes(m, i)) continue;
    const p = t.lport[i]!;
    if (ports[p] === 0) touched.push(p);
    ports[p] = ports[p]! + 1;
    const w = whoAt(m, t, i);
    if (!w.n) {
      w.n = 0;
      who.push(w);
    }
    w.n++;
    if (listen) continue;
    const k = peerKey(t, i);
    const e = peers.get(k);
    if (e) e.n++;
    else peers.set(k, { n: 1, row: i });
  }
  // The busiest ports, found in one pass: the ephemeral side of 100,000 connections lists as many.
  const byPortNum: [number, number][] = [];
  const busiest = (a: [number, number], b: [number, number]): number => b[1] - a[1] || a[0] - b[0];
  for (const p of touched) {
    keepBest(byPortNum, [p, ports[p]!], n, busiest);
    ports[p] = 0;
  }
  const processes = new Map<string, number>();
  for (const w of who) {
    processes.set(w.text || '-', (processes.get(w.text || '-') ?? 0) + w.n!);
    w.n = 0;
  }
  const top = (map: Map<string, number>): [string, number][] =>
    [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  const byPort = byPortNum.map(([p, k]): [string, number] => [String(p), k]);
  const byPeer = [...peers.values()]
    .map((e): [string, number] => [addressAt(t, e.row, true), e.n])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n);
  return { ports: byPort, processes: top(processes), peers: byPeer };
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
