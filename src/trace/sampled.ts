/**
 * Transitions seen between two snapshots of the socket table, for machines without tracefs. Pure.
 * Each is marked `source: "sampled"` and `inferred` with the sampling interval: the change happened
 * somewhere within it, states passed through and gone between two samples are not seen, and a
 * socket that appears is said to come from CLOSE (from LISTEN for a server's child).
 */
import type { Socket } from '../tcp/socket.js';
import type { TraceTransition } from './types.js';

/** A socket's identity in a table: its 4-tuple (a listener's remote is the wildcard). */
export function tupleKey(s: Socket): string {
  return `${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}

/** Sockets by 4-tuple (the first of duplicates, as SO_REUSEPORT listeners share one). */
export function indexSockets(sockets: readonly Socket[]): Map<string, Socket> {
  const m = new Map<string, Socket>();
  for (const s of sockets) {
    const k = tupleKey(s);
    if (!m.has(k)) m.set(k, s);
  }
  return m;
}

/** The transitions between two tables read `intervalMs` apart; `timeMs` is when the second was read. */
export function diffTables(
  before: ReadonlyMap<string, Socket>,
  after: ReadonlyMap<string, Socket>,
  timeMs: number,
  intervalMs: number,
  listeners: ReadonlySet<string> = listenerPorts(before),
): TraceTransition[] {
  const out: TraceTransition[] = [];
  const make = (s: Socket, from: TraceTransition['from'], to: TraceTransition['to']): TraceTransition => {
    const t: TraceTransition = {
      kind: 'transition',
      timeMs,
      family: s.family,
      local: s.local,
      remote: s.remote,
      from,
      to,
      source: 'sampled',
      inferred: true,
      intervalMs,
    };
    const o = s.owners?.[0];
    if (o) t.owner = { pid: o.pid, command: o.command, via: 'snapshot' };
    return t;
  };
  for (const [k, s] of after) {
    const was = before.get(k);
    if (!was) {
      const child = s.state !== 'LISTEN' && listeners.has(`${s.family} ${s.local.port}`);
      out.push(make(s, child ? 'LISTEN' : 'CLOSE', s.state));
    } else if (was.state !== s.state) out.push(make(s, was.state, s.state));
  }
  for (const [k, s] of before) if (!after.has(k)) out.push(make(s, s.state, 'CLOSE'));
  return out;
}

/** `family port` of every listener in a table. */
export function listenerPorts(table: ReadonlyMap<string, Socket>): Set<string> {
  const out = new Set<string>();
  for (const s of table.values()) if (s.state === 'LISTEN') out.add(`${s.family} ${s.local.port}`);
  return out;
}
