/**
 * Counting sockets: per state, and per state by a key (port, process, peer, local address), with
 * the top N rows and the rest folded into "(other)". Shapes are the JSON contract's. Pure.
 */
import type { Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';

export type StateCounts = Partial<Record<TcpState, number>>;

export interface CountResult {
  total: number;
  states: StateCounts;
}

export type CountKey = 'port' | 'process' | 'peer' | 'local';
export const COUNT_KEYS: readonly CountKey[] = ['port', 'process', 'peer', 'local'];

export interface CountRow {
  key: string;
  other?: true;
  total: number;
  states: StateCounts;
}

export interface CountByResult {
  by: CountKey;
  rows: CountRow[];
}

/** Per-state counts with only the states that have sockets, in kernel order. */
export function countStates(sockets: readonly Socket[]): CountResult {
  const n = new Array<number>(TCP_STATES.length + 1).fill(0);
  const codes = new Map(TCP_STATES.map((s, i) => [s, i + 1]));
  for (const s of sockets) n[codes.get(s.state)!]!++;
  return { total: sockets.length, states: fromArray(n) };
}

function fromArray(n: number[]): StateCounts {
  const states: StateCounts = {};
  TCP_STATES.forEach((s, i) => {
    if (n[i + 1]! > 0) states[s] = n[i + 1]!;
  });
  return states;
}

/** Cross-tab of state by key, the `top` largest rows by total, then "(other)" for the rest. */
export function countBy(
  sockets: readonly Socket[],
  by: CountKey,
  keyOf: (s: Socket) => string,
  top = 10,
): CountByResult {
  const groups = new Map<string, Socket[]>();
  for (const s of sockets) {
    const k = keyOf(s);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const rows: CountRow[] = [...groups].map(([key, list]) => ({ key, ...countStates(list) }));
  const cmp = keyOrder();
  rows.sort((a, b) => b.total - a.total || cmp(a.key, b.key));
  if (rows.length <= top) return { by, rows };
  const rest = rows.slice(top);
  const other: CountRow = { key: '(other)', other: true, total: 0, states: {} };
  for (const r of rest) {
    other.total += r.total;
    for (const [st, c] of Object.entries(r.states) as [TcpState, number][]) {
      other.states[st] = (other.states[st] ?? 0) + c;
    }
  }
  return { by, rows: [...rows.slice(0, top), other] };
}

/** The top `n` values of a key among sockets, with counts, largest first. */
export function topValues(
  sockets: readonly Socket[],
  keyOf: (s: Socket) => string,
  n: number,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of sockets) {
    const k = keyOf(s);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (n <= 0) return [];
  // Only the n first of the sorted entries are kept, in one pass: sorting every key (tens of
  // thousands of ephemeral ports) with the collator took most of the overview's aggregation.
  const cmp = keyOrder();
  const best: [string, number][] = [];
  for (const e of counts) {
    if (best.length === n) {
      const last = best[n - 1]!;
      if (e[1] < last[1] || (e[1] === last[1] && cmp(e[0], last[0]) >= 0)) continue;
    }
    // After every entry that sorts before it or ties with it: a stable sort's order.
    let i = best.length;
    while (i > 0) {
      const b = best[i - 1]!;
      if (b[1] > e[1] || (b[1] === e[1] && cmp(b[0], e[0]) <= 0)) break;
      i--;
    }
    best.splice(i, 0, e);
    if (best.length > n) best.pop();
  }
  return best;
}

let collator: Intl.Collator | undefined;

/**
 * Keys in natural order (`:9` before `:10`): one collator for every comparison (`localeCompare` with
 * options builds one per call, which sorting thousands of distinct ports made the overview's main cost).
 */
function keyOrder(): (a: string, b: string) => number {
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare;
}
