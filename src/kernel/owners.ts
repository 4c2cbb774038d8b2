/**
 * Which processes hold which sockets: every /proc/PID/fd/N link that reads `socket:[INODE]`.
 * Only thread-group leaders are listed in /proc, so each process is seen once. Processes vanish
 * mid-scan (ENOENT) and other users' fds are unreadable without root (EACCES): both are counted.
 *
 * The scan is one readlink(2) a descriptor, about 5 µs each in the kernel: a host with 100,000
 * sockets spends half a second there. `startSocketFdScan` starts it on a worker thread, so it goes
 * on while the table is dumped and parsed (ss -p also scans before it dumps), and the main thread
 * takes its share of the processes left once the table is read. The scan yields flat arrays, and
 * owners are joined to the sockets by inode (`attachOwners`).
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Owner } from '../tcp/socket.js';

export interface OwnerOptions {
  procRoot: string;
  /** uid → user name. */
  userName: (uid: number) => string;
  /** Also read each owner's full command line. */
  cmdline?: boolean;
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

/** Scanned descriptors with the index in the process list of the process of each (for merging). */
interface PartScan extends SocketFds {
  order: Int32Array;
}

/**
 * Scans the processes `names` (entries of the proc root): all of them in turn, or with `next` (an
 * Int32Array over shared memory) those whose index it hands out, so that threads share the list.
 * Self-contained (no imports, no module constants): its source is also what the worker thread runs.
 */
function scanProcesses(fsys: ScanFs, procRoot: string, names: string[], next?: Int32Array): PartScan {
  let cap = 1024;
  let order = new Int32Array(cap);
  let pids = new Int32Array(cap);
  let fdNums = new Int32Array(cap);
  let inodes = new Uint32Array(cap);
  const out = { count: 0, order, pids, fds: fdNums, inodes, unseen: 0, vanished: 0 };
  let seq = 0;
  for (;;) {
    const k = next ? Atomics.add(next, 0, 1) : seq++;
    if (k >= names.length) break;
    const name = names[k]!;
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
        const o = new Int32Array(cap);
        o.set(order);
        order = o;
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
      order[out.count] = k;
      pids[out.count] = pid;
      fdNums[out.count] = Number(fd);
      inodes[out.count] = inode;
      out.count++;
    }
  }
  out.order = order;
  out.pids = pids;
  out.fds = fdNums;
  out.inodes = inodes;
  return out;
}

/** The processes of a proc root (its numeric entries); none when it cannot be read. */
function processNames(procRoot: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  return names.filter((n) => {
    const c = n.charCodeAt(0);
    return c >= 0x30 && c <= 0x39;
  });
}

/** Every process's socket descriptors, on this thread. */
export function scanSocketFds(procRoot: string): SocketFds {
  return scanProcesses(fs, procRoot, processNames(procRoot));
}

/** The worker's program: its share of the scan, sent back without copying the arrays. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const scan = ${scanProcesses.toString()};
const { procRoot, names, next } = workerData;
const r = scan(require('node:fs'), procRoot, names, new Int32Array(next));
parentPort.postMessage(r, [r.order.buffer, r.pids.buffer, r.fds.buffer, r.inodes.buffer]);
`;

/** A scan under way. */
export interface FdScan {
  /** This thread takes its share of what is left, then the whole result once the worker is done. */
  finish(): Promise<SocketFds>;
  /** Abandons the scan. */
  stop(): void;
}

/**
 * Starts the scan on a worker thread, which takes the processes one by one while this thread reads
 * the table; `finish` has this thread take the rest alongside it (two threads over the list, each
 * process scanned by one of them). Without a worker, `finish` scans everything on this thread.
 */
export function startSocketFdScan(procRoot: string): FdScan {
  const names = processNames(procRoot);
  const next = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { procRoot, names, next: next.buffer },
      stdout: false,
      stderr: false,
    });
  } catch {
    return { finish: async () => scanProcesses(fs, procRoot, names), stop: () => {} };
  }
  let settled = false;
  const theirs = new Promise<PartScan | undefined>((resolve) => {
    worker.once('message', (r: PartScan) => {
      settled = true;
      resolve(r);
    });
    const failed = (): void => {
      if (settled) return;
      settled = true;
      resolve(undefined);
    };
    worker.once('error', failed);
    worker.once('exit', failed);
  });
  return {
    finish: async () => {
      const mine = scanProcesses(fs, procRoot, names, next);
      const other = await theirs;
      // A worker that failed may have taken processes it never scanned: scan everything here.
      return other ? merge(mine, other) : scanProcesses(fs, procRoot, names);
    },
    stop: () => {
      settled = true;
      void worker.terminate();
    },
  };
}

/** Two shares as one scan, in the order of the process list (as one thread would have found them). */
function merge(a: PartScan, b: PartScan): SocketFds {
  const count = a.count + b.count;
  const out: SocketFds = {
    count,
    pids: new Int32Array(count),
    fds: new Int32Array(count),
    inodes: new Uint32Array(count),
    unseen: a.unseen + b.unseen,
    vanished: a.vanished + b.vanished,
  };
  let i = 0;
  let j = 0;
  for (let k = 0; k < count; k++) {
    const fromA = j >= b.count || (i < a.count && a.order[i]! < b.order[j]!);
    const src = fromA ? a : b;
    const at = fromA ? i++ : j++;
    out.pids[k] = src.pids[at]!;
    out.fds[k] = src.fds[at]!;
    out.inodes[k] = src.inodes[at]!;
  }
  return out;
}

/**
 * Sets `owners` on every socket: the processes holding its inode, one entry per (pid, fd) in scan
 * order, `[]` for none (and for inode 0). A join of the two lists sorted by inode: no map of
 * 100,000 inodes, and comm, user and cmdline read once a process. Returns the scan's counts of
 * unreadable and vanished processes.
 */
export function attachOwners(
  scan: SocketFds,
  sockets: readonly { inode: number; owners?: Owner[] }[],
  opts: OwnerOptions,
): { unseen: number; vanished: number } {
  const socketInodes = new Uint32Array(sockets.length);
  for (let i = 0; i < sockets.length; i++) {
    socketInodes[i] = sockets[i]!.inode;
    if (socketInodes[i] === 0) sockets[i]!.owners = [];
  }
  const bySocket = sortedByKey(socketInodes, sockets.length);
  const inodes = scan.inodes;
  const byFd = sortedByKey(inodes, scan.count);
  let p = 0;
  while (p < bySocket.length && socketInodes[bySocket[p]!] === 0) p++;
  const infos = new Map<number, ProcessInfo>();
  let q = 0;
  for (; p < bySocket.length; p++) {
    const s = sockets[bySocket[p]!]!;
    const inode = s.inode;
    while (q < byFd.length && inodes[byFd[q]!]! < inode) q++;
    let n = 0;
    while (q + n < byFd.length && inodes[byFd[q + n]!] === inode) n++;
    // Sized at once: an array grown by push keeps room for 17 (150 bytes a socket at 100,000).
    const owners: Owner[] = new Array<Owner>(n);
    for (let k = 0; k < n; k++) {
      const at = byFd[q + k]!;
      const pid = scan.pids[at]!;
      let info = infos.get(pid);
      if (info === undefined) {
        info = processInfo(opts, pid);
        infos.set(pid, info);
      }
      const owner: Owner = { pid, fd: scan.fds[at]!, command: info.command, user: info.user };
      if (info.cmdline !== undefined) owner.cmdline = info.cmdline;
      owners[k] = owner;
    }
    s.owners = owners;
  }
  return { unseen: scan.unseen, vanished: scan.vanished };
}

interface ProcessInfo {
  command: string;
  user: string;
  cmdline?: string;
}

const INDEX_SPAN = 2 ** 21;

/**
 * The indexes 0 to n - 1 ordered by `keys[i]` (unsigned 32-bit), equal keys in index order. Up to
 * 2^21 entries each is packed into one double (key * 2^21 + index, exact below 2^53) and sorted
 * natively, without a comparator; more than that, with one.
 */
function sortedByKey(keys: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(n);
  if (n <= INDEX_SPAN) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = keys[i]! * INDEX_SPAN + i;
    packed.sort();
    for (let i = 0; i < n; i++) out[i] = packed[i]! % INDEX_SPAN;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = i;
  return out.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Command name, user and optionally the command line of a process; '?' for what vanished. */
function processInfo(opts: OwnerOptions, pid: number): ProcessInfo {
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
