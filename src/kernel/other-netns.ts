/**
 * How many sockets live in network namespaces other than the one shown: counted over sock_diag in
 * each (entered through a process's /proc/PID/ns/net, or its /run/netns name when no process is in
 * it), or from its /proc/net/tcp{,6} when netlink cannot be used.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { fromErrno } from '../errors.js';
import { ALL_STATES } from '../tcp/state-names.js';
import { countTcp } from './netlink/dump.js';
import { DiagSocket, loadNetlink } from './netlink/socket.js';
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

/**
 * The sockets of the namespace at `path` counted over sock_diag (the `count` path: no records
 * built), or undefined when netlink cannot be used there. /proc/PID/net/tcp is slow to read when
 * the table is large (seconds at 100,000 sockets: the kernel walks the table again for every page).
 */
async function netlinkCount(path: string, what: string): Promise<number | undefined> {
  let sock: DiagSocket;
  try {
    sock = inNetns(path, what, () => DiagSocket.open());
  } catch {
    return undefined;
  }
  try {
    const c = await countTcp(sock, { states: ALL_STATES });
    return c.counts.reduce((a, b) => a + b, 0);
  } catch {
    return undefined;
  } finally {
    sock.close();
  }
}

/** Whether netlink and setns can be used (only for the real /proc: a fixture tree is read as files). */
async function netlinkUsable(procRoot: string): Promise<boolean> {
  if (procRoot !== '/proc') return false;
  try {
    await Promise.all([loadNetlink(), prepareNetns()]);
    return true;
  } catch {
    return false;
  }
}

/** Counts namespaces other than `shown` (an inode) and the sockets in them. */
export async function countOtherNetns(procRoot: string, shown: number | undefined): Promise<OtherNetnsCount> {
  const result: OtherNetnsCount = { namespaces: 0, sockets: 0, unread: 0 };
  const withProcess = netnsByProcess(procRoot);
  const empty = [...namedNetns()].filter(([, inode]) => inode !== shown && !withProcess.has(inode));
  const others = [...withProcess].filter(([inode]) => inode !== shown);
  if (others.length === 0 && empty.length === 0) return result;
  const netlink = await netlinkUsable(procRoot);
  for (const [, pid] of others) {
    result.namespaces++;
    let n = netlink ? await netlinkCount(`${procRoot}/${pid}/ns/net`, `of pid ${pid}`) : undefined;
    try {
      n ??= tableRows(`${procRoot}/${pid}/net`);
      result.sockets += n;
    } catch {
      result.unread++;
    }
  }
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
    const path = `${NETNS_RUN_DIR}/${name}`;
    let n = netlink ? await netlinkCount(path, name) : undefined;
    try {
      n ??= inNetns(path, name, () => tableRows(`${procRoot}/self/net`));
      result.sockets += n;
    } catch {
      result.unread++;
    }
  }
  return result;
}
