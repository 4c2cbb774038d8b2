/**
 * Which processes hold which sockets: every /proc/PID/fd/N link that reads `socket:[INODE]`.
 * Only thread-group leaders are listed in /proc, so each process is seen once. Processes vanish
 * mid-scan (ENOENT) and other users' fds are unreadable without root (EACCES): both are counted.
 *
 * The scan is one readlink(2) a descriptor, about 5 µs each in the kernel: a host with 100,000
 * sockets spends half a second there. `startSocketFdScan` runs it on a worker thread, so it goes on
 * while the table is dumped and parsed (ss -p also scans before it dumps); the scan yields flat
 * arrays, and owners are built only for the inodes a snapshot wants (`ownersOf`).
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
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

/** Every socket descriptor of every process, index for index: `pids[i]` holds `inodes[i]` as `fds[i]`. */
export interface SocketFds {
  count: number;
  pids: Int32Array;
  fds: Int32Array;
  inodes: Uint32Array;
  /** Processes whose fds could not be read (permission). */
  unseen: number;
  /** Processes that ended during the scan. */
  vanished: number;
}

type ScanFs = Pick<typeof fs, 'readdirSync' | 'readlinkSync'>;

/**
 * The scan itself. Self-contained (no imports, no module constants): its source is also what the
 * worker thread runs.
 */
function scanSocketFdsWith(fsys: ScanFs, procRoot: string): SocketFds {
  let cap = 1024;
  let pids = new Int32Array(cap);
  let fdNums = new Int32Array(cap);
  let inodes = new Uint32Array(cap);
  const out = { count: 0, pids, fds: fdNums, inodes, unseen: 0, vanished: 0 };
  let names: string[];
  try {
    names = fsys.readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const name of names) {
    const c0 = name.charCodeAt(0);
    if (c0 < 0x30 || c0 > 0x39) continue;
    const pid = Number(name);
    const fdDir = `${procRoot}/${name}/fd/`;
    let fds: string[];
    try {
      fds = fsys.readdirSync(fdDir);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') out.vanished++;
      else out.unseen++;
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fsys.readlinkSync(fdDir + fd);
      } catch {
        continue; // the fd was closed between readdir and readlink
      }
      // `socket:[12345]`
      if (link.length < 10 || link.charCodeAt(0) !== 0x73 || link.charCodeAt(6) !== 0x3a) continue;
      if (!link.startsWith('socket:[')) continue;
      let inode = 0;
      for (let i = 8; i < link.length - 1; i++) inode = inode * 10 + (link.charCodeAt(i) - 0x30);
      if (out.count === cap) {
        cap *= 2;
        const p = new Int32Array(cap);
        p.set(pids);
        pids = p;
        const f = new Int32Array(cap);
        f.set(fdNums);
        fdNums = f;
        const n = new Uint32Array(cap);
        n.set(inodes);
        inodes = n;
      }
      pids[out.count] = pid;
      fdNums[out.count] = Number(fd);
      inodes[out.count] = inode;
      out.count++;
    }
  }
  out.pids = pids;
  out.fds = fdNums;
  out.inodes = inodes;
  return out;
}

/** Every process's socket descriptors, on this thread. */
export function scanSocketFds(procRoot: string): SocketFds {
  return scanSocketFdsWith(fs, procRoot);
}

/** The worker's program: the scan above, its result sent back without copying the arrays. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const scan = ${scanSocketFdsWith.toString()};
const r = scan(require('node:fs'), workerData);
parentPort.postMessage(r, [r.pids.buffer, r.fds.buffer, r.inodes.buffer]);
`;

/** A scan under way: its result, or `stop()` when it is no longer wanted. */
export interface FdScan {
  result: Promise<SocketFds>;
  stop(): void;
}

/**
 * Starts the scan on a worker thread; it runs on this thread when a worker cannot be started (then
 * at the first await of `result`).
 */
export function startSocketFdScan(procRoot: string): FdScan {
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: procRoot, stdout: false, stderr: false });
  } catch {
    return { result: Promise.resolve().then(() => scanSocketFds(procRoot)), stop: () => {} };
  }
  let settled = false;
  const result = new Promise<SocketFds>((resolve) => {
    worker.once('message', (r: SocketFds) => {
      settled = true;
      resolve(r);
    });
    const here = (): void => {
      if (settled) return;
      settled = true;
      resolve(scanSocketFds(procRoot));
    };
    worker.once('error', here);
    worker.once('exit', here);
  });
  return {
    result,
    stop: () => {
      settled = true;
      void worker.terminate();
    },
  };
}

/** The owners of the wanted inodes among scanned descriptors; comm, user and cmdline read once a process. */
export function ownersOf(scan: SocketFds, opts: OwnerScanOptions): OwnerScan {
  const out: OwnerScan = { byInode: new Map(), unseen: scan.unseen, vanished: scan.vanished };
  if (opts.wanted.size === 0) return out;
  const infos = new Map<number, ProcessInfo>();
  for (let i = 0; i < scan.count; i++) {
    const inode = scan.inodes[i]!;
    if (!opts.wanted.has(inode)) continue;
    const pid = scan.pids[i]!;
    let info = infos.get(pid);
    if (info === undefined) {
      info = processInfo(opts, pid);
      infos.set(pid, info);
    }
    const owner: Owner = { pid, fd: scan.fds[i]!, command: info.command, user: info.user };
    if (info.cmdline !== undefined) owner.cmdline = info.cmdline;
    const list = out.byInode.get(inode);
    if (list) list.push(owner);
    else out.byInode.set(inode, [owner]);
  }
  return out;
}

/** Scans every process's fds once, on this thread. */
export function scanOwners(opts: OwnerScanOptions): OwnerScan {
  if (opts.wanted.size === 0) return { byInode: new Map(), unseen: 0, vanished: 0 };
  return ownersOf(scanSocketFds(opts.procRoot), opts);
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
    info.command = fs.readFileSync(`${dir}/comm`, 'latin1').trimEnd();
  } catch {}
  try {
    info.user = opts.userName(fs.statSync(dir).uid);
  } catch {}
  if (opts.cmdline) {
    try {
      info.cmdline = fs.readFileSync(`${dir}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {}
  }
  return info;
}
