/**
 * How many sockets live in network namespaces other than the one shown: one process per namespace
 * is enough to read its table through /proc/PID/net; named namespaces without a process are entered.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import { inNetns, NETNS_RUN_DIR, namedNetns, netnsByProcess, prepareNetns } from './netns.js';

export interface OtherNetnsCount {
  namespaces: number;
  sockets: number;
  unread: number;
}

const CHUNK = Buffer.allocUnsafe(1 << 16);

/**
 * Rows of a /proc/net/tcp file: its lines less the header, counted as the file is read (a table of
 * 100,000 sockets is 15 MB of text, never held whole).
 */
function rows(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fromErrno(e, path);
  }
  let n = 0;
  try {
    for (;;) {
      const got = readSync(fd, CHUNK, 0, CHUNK.length, null);
      if (got === 0) break;
      for (let i = CHUNK.indexOf(10); i >= 0 && i < got; i = CHUNK.indexOf(10, i + 1)) n++;
    }
  } catch (e) {
    throw fromErrno(e, path);
  } finally {
    closeSync(fd);
  }
  return Math.max(0, n - 1);
}

function tableRows(dir: string): number {
  let n = rows(`${dir}/tcp`);
  try {
    n += rows(`${dir}/tcp6`);
  } catch {}
  return n;
}

/** Counts namespaces other than `shown` (an inode) and the sockets in them. */
export async function countOtherNetns(procRoot: string, shown: number | undefined): Promise<OtherNetnsCount> {
  const result: OtherNetnsCount = { namespaces: 0, sockets: 0, unread: 0 };
  const withProcess = netnsByProcess(procRoot);
  for (const [inode, pid] of withProcess) {
    if (inode === shown) continue;
    result.namespaces++;
    try {
      result.sockets += tableRows(`${procRoot}/${pid}/net`);
    } catch {
      result.unread++;
    }
  }
  const empty = [...namedNetns()].filter(([, inode]) => inode !== shown && !withProcess.has(inode));
  if (empty.length === 0) return result;
  try {
    await prepareNetns();
  } catch {
    result.namespaces += empty.length;
    result.unread += empty.length;
    return result;
  }
  for (const [name] of empty) {
    result.namespaces++;
    try {
      result.sockets += inNetns(`${NETNS_RUN_DIR}/${name}`, name, () => tableRows(`${procRoot}/self/net`));
    } catch {
      result.unread++;
    }
  }
  return result;
}
