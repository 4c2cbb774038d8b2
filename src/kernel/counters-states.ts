/**
 * Sockets per TCP state in one namespace, for `stat -n STATE`: a count of /proc/net/tcp and tcp6.
 * Request sockets (SYN_RECV) and timewait sockets are rows there too, so they are counted.
 */
import type { TcpState } from '../tcp/states.js';
import { TCP_STATES } from '../tcp/states.js';
import { readTcpTable } from './procfs.js';

export interface StateCounts {
  /** Every state, zeros included. */
  states: Record<TcpState, number>;
  malformed: number;
  firstError?: string;
}

/** Counts the sockets of each state in the namespace of `pid` (ours by default). */
export function readStateCounts(procRoot: string, pid?: number): StateCounts {
  const read = readTcpTable(pid === undefined ? { procRoot } : { procRoot, pid });
  const states = Object.fromEntries(TCP_STATES.map((s) => [s, 0])) as Record<TcpState, number>;
  for (const s of read.sockets) states[s.state]++;
  const out: StateCounts = { states, malformed: read.malformed };
  if (read.firstError !== undefined) out.firstError = read.firstError;
  return out;
}
