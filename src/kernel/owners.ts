/**
 * Which processes hold which sockets: every /proc/PID/fd/N link that reads `socket:[INODE]`.
 * Only thread-group leaders are listed in /proc, so each process is seen once. Processes vanish
 * mid-scan (ENOENT) and other users' fds are unreadable without root (EACCES): both are counted.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Owner } from '../tcp/socket.js';

export interface OwnerScanOptions {
  procRoot: string;
  /** Socket inodes we care about; links to others are skipped without allocating anything. */
  wanted: ReadonlySet<number>;
  /** uid → user name. */
  userName: (uid: number) => string;
  /** Also read each owner's full command line. */
  cmdline?: boolean;
}

export interface OwnerScan {
  /** inode → the processes holding it, one entry per (pid, fd). */
  byInode: Map<number, Owner[]>;
  /** Processes whose fds could not be read (permission). */
  unseen: number;
  /** Processes that ended during the scan. */
  vanished: number;
}

const SOCKET_PREFIX = 'socket:[';

/** Scans every process's fds once. */
export function scanOwners(opts: OwnerScanOptions): OwnerScan {
  const scan: OwnerScan = { byInode: new Map(), unseen: 0, vanished: 0 };
  if (opts.wanted.size === 0) return scan;
  let pids: string[];
  try {
    pids = readdirSync(opts.procRoot);
  } catch {
    return scan;
  }
  for (const name of pids) {
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    scanProcess(opts, Number(name), scan);
  }
  return scan;
}

function scanProcess(opts: OwnerScanOptions, pid: number, scan: OwnerScan): void {
  const fdDir = `${opts.procRoot}/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') scan.vanished++;
    else scan.unseen++;
    return;
  }
  let info: ProcessInfo | undefined;
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`${fdDir}/${fd}`);
    } catch {
      continue; // the fd was closed between readdir and readlink
    }
    if (!link.startsWith(SOCKET_PREFIX)) continue;
    const inode = Number(link.slice(SOCKET_PREFIX.length, -1));
    if (!opts.wanted.has(inode)) continue;
    info ??= processInfo(opts, pid);
    const owner: Owner = { pid, fd: Number(fd), command: info.command, user: info.user };
    if (info.cmdline !== undefined) owner.cmdline = info.cmdline;
    const list = scan.byInode.get(inode);
    if (list) list.push(owner);
    else scan.byInode.set(inode, [owner]);
  }
}

interface ProcessInfo {
  command: string;
  user: string;
  cmdline?: string;
}

/** Command name, user and optionally the command line of a process; '?' for what vanished. */
function processInfo(opts: OwnerScanOptions, pid: number): ProcessInfo {
  const dir = `${opts.procRoot}/${pid}`;
  const info: ProcessInfo = { command: '?', user: '?' };
  try {
    info.command = readFileSync(`${dir}/comm`, 'latin1').trimEnd();
  } catch {}
  try {
    info.user = opts.userName(statSync(dir).uid);
  } catch {}
  if (opts.cmdline) {
    try {
      info.cmdline = readFileSync(`${dir}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {}
  }
  return info;
}
