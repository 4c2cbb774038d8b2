/**
 * Sockets per state on this machine, from /proc/net/tcp and tcp6 through the pure parser. One small
 * reader so that `tcpscope diagram --counts live` works today; the shared socket-table reader can
 * replace it without the command noticing.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { fromErrno } from '../errors.js';
import type { TcpState } from '../tcp/index.js';
import { parseProcNetTcp } from './proc-net-tcp.js';

export interface LiveCounts {
  counts: Partial<Record<TcpState, number>>;
  /** Rows that could not be parsed, skipped. */
  malformed: number;
}

/** Counts by state in the network namespace whose `net` directory is `netDir` (`/proc/PID/net` for another one). */
export async function readLiveStateCounts(netDir = '/proc/net'): Promise<LiveCounts> {
  const counts: Partial<Record<TcpState, number>> = {};
  let malformed = 0;
  const littleEndian = endianness() === 'LE';
  for (const family of [4, 6] as const) {
    const path = `${netDir}/${family === 4 ? 'tcp' : 'tcp6'}`;
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (e) {
      // A kernel without IPv6 has no tcp6; without tcp there is nothing to count.
      if (family === 6 && (e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fromErrno(e, path);
    }
    const r = parseProcNetTcp(buf, family, { littleEndian });
    malformed += r.malformed;
    for (const s of r.sockets) counts[s.state] = (counts[s.state] ?? 0) + 1;
  }
  return { counts, malformed };
}
