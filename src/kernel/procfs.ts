/**
 * Reads the socket table from procfs: /proc/net/tcp and tcp6, or those of another process's network
 * namespace (/proc/PID/net/...). Thin: the parsing is proc-net-tcp.ts's.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import { HOST_LITTLE_ENDIAN } from '../net/byte-reader.js';
import type { Socket } from '../tcp/socket.js';
import { countProcNetTcp, parseProcNetTcp } from './proc-net-tcp.js';

export interface ProcfsOptions {
  /** The proc mount (a fixture tree in unit tests). */
  procRoot: string;
  /** Read the namespace of this process instead of our own. */
  pid?: number;
  /** Which families; both by default. */
  families?: readonly (4 | 6)[];
  /** Kernel state codes to keep, bit N for code N. */
  stateMask?: number;
}

export interface TableRead {
  sockets: Socket[];
  malformed: number;
  firstError?: string;
}

/** Reads one procfs file whole. procfs reports size 0, so read in large chunks until EOF. */
export function readProcFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fromErrno(e, path);
  }
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let len = 0;
    for (;;) {
      if (buf.length - len < 1 << 16) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    return buf.subarray(0, len);
  } catch (e) {
    throw fromErrno(e, path);
  } finally {
    closeSync(fd);
  }
}

/** Where a process's (or our own) network files are. */
export function procNetDir(procRoot: string, pid?: number): string {
  return pid === undefined ? `${procRoot}/net` : `${procRoot}/${pid}/net`;
}

/**
 * Calls `each` with every family's file of a namespace (tcp, then tcp6) and its path. A missing
 * tcp6 (IPv6 disabled) is no error.
 */
function eachTableFile(opts: ProcfsOptions, each: (buf: Buffer, family: 4 | 6, path: string) => void): void {
  const dir = procNetDir(opts.procRoot, opts.pid);
  for (const family of opts.families ?? [4, 6]) {
    const path = `${dir}/${family === 4 ? 'tcp' : 'tcp6'}`;
    let buf: Buffer;
    try {
      buf = readProcFile(path);
    } catch (e) {
      if (family === 6 && isNotFound(e)) continue;
      throw e;
    }
    each(buf, family, path);
  }
}

/** The TCP table of one network namespace, IPv4 then IPv6. */
export function readTcpTable(opts: ProcfsOptions): TableRead {
  const littleEndian = HOST_LITTLE_ENDIAN;
  const parseOpts =
    opts.stateMask === undefined ? { littleEndian } : { littleEndian, stateMask: opts.stateMask };
  const out: TableRead = { sockets: [], malformed: 0 };
  eachTableFile(opts, (buf, family, path) => {
    const r = parseProcNetTcp(buf, family, parseOpts);
    for (const s of r.sockets) out.sockets.push(s);
    out.malformed += r.malformed;
    if (r.firstError !== undefined && out.firstError === undefined)
      out.firstError = `${path} ${r.firstError}`;
  });
  return out;
}

function isNotFound(e: unknown): boolean {
  return ((e as { cause?: { code?: string } }).cause?.code ?? '') === 'ENOENT';
}

/** Per-state counts of a namespace's table (index = kernel code), without building sockets. */
export function countTcpTable(opts: ProcfsOptions): { counts: number[]; malformed: number } {
  const counts = new Array<number>(12).fill(0);
  let malformed = 0;
  eachTableFile(opts, (buf) => {
    malformed += countProcNetTcp(buf, counts).malformed;
  });
  return { counts, malformed };
}
