/**
 * Pure. One reading of the table as the rows the history keeps: sockets per state overall, per
 * local port (every listening port, up to MAX_LISTENING_PORTS, then the top N other ports that hold
 * two sockets or more) and per
 * process (the top N), each with the rest summed under "(other)" so a sample's size is bounded
 * whatever the table holds; the transitions traced since the last reading per pair of states (121
 * at most); the `sar -n TCP,ETCP` and LISTEN counter rates; the doctor's findings.
 * Zero counts are not stored: a missing row is a zero.
 */
import type { Finding } from '../doctor/types.js';
import type { LeanTable } from '../kernel/netlink/lean.js';
import { processKey } from '../render/socket-text.js';
import type { CounterInterval } from '../stats/sampler.js';
import { columnValue, SAR_COLUMNS, type SarView } from '../stats/sar.js';
import type { Owner, Socket } from '../tcp/socket.js';
import { TCP_STATES } from '../tcp/states.js';

/** Listening ports always kept with their own rows (so listeners that come and go are seen). */
export const MAX_LISTENING_PORTS = 256;
/** The key of the rows summed up beyond the top N, as `count --by` names it. */
export const OTHER = '(other)';
/** The rate views recorded, by sar's column names (`active/s`, `retrans/s`, `ListenOverflows/s`...). */
export const RATE_VIEWS: readonly SarView[] = ['TCP', 'ETCP', 'LISTEN'];

export type CountKind = 'all' | 'port' | 'process' | 'transition';

export interface CountPoint {
  kind: CountKind;
  /** The port as text, the process as `command[pid]`, '' for `all`, the state left for `transition`. */
  key: string;
  state: string;
  count: number;
}

export interface FindingPoint {
  rule: string;
  severity: string;
  title: string;
  /** The finding as the doctor's JSON has it. */
  json: string;
}

export interface SampleRows {
  /** Milliseconds since the epoch. */
  time: number;
  /** Seconds since the previous reading, when there was one. */
  seconds?: number;
  total: number;
  /** Whether owners were looked up at this reading (else carried from the last lookup by inode). */
  owners: boolean;
  /** Sockets held by a file whose process is not known (born since the lookup, or not visible). */
  unowned?: number;
  counts: CountPoint[];
  rates: { counter: string; value: number }[];
  findings: FindingPoint[];
}

export interface SampleInput {
  time: number;
  /** The table, as records (with owners or carried ones and attributions)... */
  sockets?: readonly Socket[];
  /** ...or as columns, with the owners known by inode (a reading that makes no records). */
  lean?: { table: LeanTable; ownersOf: (inode: number) => readonly Owner[] | undefined };
  /** Processes kept per sample before "(other)". */
  top: number;
  owners: boolean;
  /** The counters since the previous reading; none at the first. */
  interval?: CounterInterval;
  findings?: readonly Finding[];
  /** Transitions traced since the previous reading, per pair; absent when not traced. */
  transitions?: ReadonlyMap<string, { from: string; to: string; count: number }>;
}

/** The rows of one reading. */
export function sampleRows(input: SampleInput): SampleRows {
  const { top } = input;
  const t = input.lean
    ? tallyLean(input.lean.table, input.lean.ownersOf, top)
    : tally(input.sockets ?? [], top);
  const counts: CountPoint[] = [];
  pushTally(counts, 'all', '', t.all);
  for (const [key, c] of t.ports) pushTally(counts, 'port', key, c);
  for (const [key, c] of topKeep(t.processes, top, () => true)) pushTally(counts, 'process', key, c);
  for (const x of input.transitions?.values() ?? [])
    if (x.count > 0) counts.push({ kind: 'transition', key: x.from, state: x.to, count: x.count });
  return {
    time: input.time,
    ...(input.interval ? { seconds: input.interval.seconds } : {}),
    total: t.all[0]!,
    owners: input.owners,
    unowned: t.unowned,
    counts,
    rates: input.interval ? ratesOf(input.interval) : [],
    findings: (input.findings ?? []).map((f) => ({
      rule: f.rule,
      severity: f.severity,
      title: f.title,
      json: JSON.stringify(f),
    })),
  };
}

/** Sockets per state (index: the kernel's state number; 0 holds the total). */
type Tally = Int32Array;
const CODE = new Map<string, number>(TCP_STATES.map((s, i) => [s, i + 1]));
const LISTEN = CODE.get('LISTEN')!;

/** Per local port and state, reused between readings: (65536 ports) x (states + total), all zero between. */
let portCells: Int32Array | undefined;
/** The ports a reading touched, in the order first seen. */
let touched: Uint16Array | undefined;
const WIDTH = TCP_STATES.length + 1;

interface Tallies {
  all: Tally;
  /** The ports kept with rows of their own, then "(other)" (see `keepPorts`). */
  ports: [string, Tally][];
  processes: Map<string, Tally>;
  unowned: number;
}

/**
 * Counts sockets per state overall, per local port and per process. The table is read every interval
 * and may hold 100,000 sockets, so this counts into typed arrays (one cell per port and state,
 * reused; per owning process by pid) and makes no string or array per socket: only the ports and
 * processes kept get a Tally and a key, in `finish`.
 */
function counter(): {
  /** `key`: the socket's process key, needed only when `owner` is undefined. */
  add(code: number, port: number, owner: Owner | undefined, key: string): void;
  finish(unowned: number, top: number): Tallies;
} {
  const all: Tally = new Int32Array(WIDTH);
  portCells ??= new Int32Array(65536 * WIDTH);
  touched ??= new Uint16Array(65536);
  const cells = portCells;
  const seen = touched;
  let nSeen = 0;
  const byPid = new Map<number, { command: string; c: Tally }>();
  const processes = new Map<string, Tally>();
  const bump = (key: string, code: number) => {
    let c = processes.get(key);
    if (!c) {
      c = new Int32Array(WIDTH);
      processes.set(key, c);
    }
    c[0]!++;
    c[code]!++;
  };
  return {
    add(code, port, o, key) {
      all[0]!++;
      all[code]!++;
      const at = (port & 0xffff) * WIDTH;
      if (cells[at] === 0) seen[nSeen++] = port;
      cells[at]!++;
      cells[at + code]!++;
      const p = o ? byPid.get(o.pid) : undefined;
      if (o && (p === undefined || p.command === o.command)) {
        let c = p?.c;
        if (!c) {
          c = new Int32Array(WIDTH);
          byPid.set(o.pid, { command: o.command, c });
        }
        c[0]!++;
        c[code]!++;
      } else bump(o ? `${o.command}[${o.pid}]` : key, code);
    },
    finish(unowned, top) {
      for (const [pid, { command, c }] of byPid) {
        const key = `${command}[${pid}]`;
        const had = processes.get(key);
        if (had) for (let i = 0; i < WIDTH; i++) had[i]! += c[i]!;
        else processes.set(key, c);
      }
      const ports = keepPorts(cells, seen.subarray(0, nSeen), top);
      for (let k = 0; k < nSeen; k++) cells.fill(0, seen[k]! * WIDTH, (seen[k]! + 1) * WIDTH);
      return { all, ports, processes, unowned };
    },
  };
}

function tally(sockets: readonly Socket[], top: number): Tallies {
  const c = counter();
  let unowned = 0;
  for (const s of sockets) {
    const o = s.owners?.[0];
    if (!o && s.inode !== 0) unowned++;
    c.add(CODE.get(s.state) ?? 0, s.local.port, o, o ? '' : processKey(s));
  }
  return c.finish(unowned, top);
}

/**
 * The same counts from the table's columns, with the owners known by inode. A socket without an
 * inode is attributed as `snapshot/attribute.ts` does, its listener found by port and family (the
 * columns carry no address: of two listeners on one port with different addresses, the one of the
 * same family listed first).
 */
function tallyLean(
  t: LeanTable,
  ownersOf: (inode: number) => readonly Owner[] | undefined,
  top: number,
): Tallies {
  const listener = new Map<number, { family: number; owner?: Owner }[]>();
  for (let i = 0; i < t.n; i++) {
    if (t.state[i] !== LISTEN) continue;
    const owners = t.inode[i] ? ownersOf(t.inode[i]!) : undefined;
    const owner = owners?.length ? owners.reduce((a, b) => (b.pid < a.pid ? b : a)) : undefined;
    const list = listener.get(t.port[i]!) ?? [];
    list.push({ family: t.family[i]!, ...(owner ? { owner } : {}) });
    listener.set(t.port[i]!, list);
  }
  const c = counter();
  let unowned = 0;
  for (let i = 0; i < t.n; i++) {
    const code = t.state[i]!;
    const inode = t.inode[i]!;
    if (inode !== 0) {
      const o = ownersOf(inode)?.[0];
      if (!o) unowned++;
      c.add(code, t.port[i]!, o, '(none)');
    } else c.add(code, t.port[i]!, undefined, attributed(code, t.port[i]!, t.family[i]!));
  }
  return c.finish(unowned, top);

  function attributed(code: number, port: number, family: number): string {
    if (code === TIME_WAIT) return '(timewait)';
    if (code !== SYN_RECV && code !== ESTABLISHED && code !== CLOSE_WAIT) return '(orphan)';
    const list = listener.get(port);
    if (!list) return '(orphan)';
    const l = list.find((x) => x.family === family) ?? list[0]!;
    const kind = code === SYN_RECV ? 'request' : 'queued';
    return l.owner ? `(${kind}) ${l.owner.command}[${l.owner.pid}]` : `(${kind})`;
  }
}

const ESTABLISHED = CODE.get('ESTABLISHED')!;
const SYN_RECV = CODE.get('SYN_RECV')!;
const TIME_WAIT = CODE.get('TIME_WAIT')!;
const CLOSE_WAIT = CODE.get('CLOSE_WAIT')!;

function pushTally(out: CountPoint[], kind: CountKind, key: string, c: Tally): void {
  for (let i = 1; i < c.length; i++)
    if (c[i]) out.push({ kind, key, state: TCP_STATES[i - 1]!, count: c[i]! });
}

/** The `top` largest keys that `eligible` lets through, the rest (and those it refuses) summed as "(other)". */
function topKeep(
  m: Map<string, Tally>,
  top: number,
  eligible: (key: string, c: Tally) => boolean,
): [string, Tally][] {
  const ranked = [...m]
    .filter(([k, c]) => eligible(k, c))
    .sort((a, b) => b[1][0]! - a[1][0]! || compareKeys(a[0], b[0]));
  const kept = ranked.slice(0, top);
  if (kept.length === m.size) return kept;
  const keptKeys = new Set(kept.map(([k]) => k));
  const other: Tally = new Int32Array(TCP_STATES.length + 1);
  for (const [k, c] of m) if (!keptKeys.has(k)) for (let i = 0; i < c.length; i++) other[i]! += c[i]!;
  return [...kept, [OTHER, other]];
}

/**
 * Per local port: every listening port (up to MAX_LISTENING_PORTS, most sockets first), then the
 * `top` other ports that hold two sockets or more, the rest summed as "(other)". A local port that
 * is not listening has a row of its own only when several sockets share it (a listener gone with its
 * connections left, a client bound to a port): one socket per ephemeral port would fill the top N
 * with ports that say nothing and change at every reading. Chosen over the cells directly: a busy
 * client has tens of thousands of shared ephemeral ports, and only the kept ones get a Tally.
 */
function keepPorts(cells: Int32Array, seen: Uint16Array, top: number): [string, Tally][] {
  const total = (port: number): number => cells[port * WIDTH]!;
  const rank = (a: number, b: number): number => total(b) - total(a) || a - b;
  const listening: number[] = [];
  for (const port of seen) if (cells[port * WIDTH + LISTEN]! > 0) listening.push(port);
  listening.sort(rank);
  const keptListening = listening.slice(0, MAX_LISTENING_PORTS);
  const kept = new Set(keptListening);
  // The `top` best of the others holding two sockets or more, kept sorted as they come.
  const best: number[] = [];
  for (const port of seen) {
    if (kept.has(port) || total(port) < 2) continue;
    if (best.length === top && rank(port, best[top - 1]!) >= 0) continue;
    let i = best.length;
    while (i > 0 && rank(port, best[i - 1]!) < 0) i--;
    best.splice(i, 0, port);
    if (best.length > top) best.pop();
  }
  for (const port of best) kept.add(port);
  const other: Tally = new Int32Array(WIDTH);
  for (const port of seen) {
    if (kept.has(port)) continue;
    const at = port * WIDTH;
    for (let i = 0; i < WIDTH; i++) other[i]! += cells[at + i]!;
  }
  const row = (port: number): [string, Tally] => [
    String(port),
    cells.slice(port * WIDTH, (port + 1) * WIDTH),
  ];
  const out = [...keptListening.map(row), ...best.map(row)];
  if (other[0]! > 0) out.push([OTHER, other]);
  return out;
}

/** Numbers by value, else text: port 80 before 443 before 8080. */
function compareKeys(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isNaN(x) || Number.isNaN(y) ? (a < b ? -1 : a > b ? 1 : 0) : x - y;
}

/** The recorded rates of an interval (counters this kernel lacks are left out). */
export function ratesOf(iv: CounterInterval): { counter: string; value: number }[] {
  const out: { counter: string; value: number }[] = [];
  for (const view of RATE_VIEWS)
    for (const c of SAR_COLUMNS[view]) {
      const v = columnValue(c, iv);
      if (v !== null) out.push({ counter: c.key, value: v });
    }
  return out;
}
