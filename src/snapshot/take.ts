/**
 * One snapshot of a namespace's TCP table: read, de-duplicated, owners looked up when asked,
 * and sockets without owners attributed. The I/O lives in kernel/; this file only sequences it.
 */
import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { inNetns, NETNS_RUN_DIR, namedNetns, netnsInode, netnsRef, prepareNetns } from '../kernel/netns.js';
import { scanOwners } from '../kernel/owners.js';
import { countTcpTable, readTcpTable } from '../kernel/procfs.js';
import { userNames } from '../kernel/users.js';
import type { NetnsRef, Snapshot, Socket } from '../tcp/socket.js';
import { ALL_STATES, type StateMask } from '../tcp/state-names.js';
import { stateCode, TCP_STATES } from '../tcp/states.js';
import type { CountResult, StateCounts } from './aggregate.js';
import { attribute } from './attribute.js';

export interface SnapshotOptions {
  /** The proc mount; `/proc` by default. */
  procRoot?: string;
  /** A namespace named under /run/netns (`ip netns add NAME`). */
  netns?: string;
  /** The namespace of this process. */
  netnsPid?: number;
  /** Look up the processes that hold each socket. */
  owners?: boolean;
  /** With owners, also read their full command lines. */
  cmdline?: boolean;
  /** Only these states (a mask as parseStateList makes). */
  stateMask?: StateMask;
  families?: readonly (4 | 6)[];
  /** The clock, for tests. */
  now?: () => Date;
}

const LISTEN_BIT = 1 << stateCode('LISTEN');

/**
 * Runs a reader of /proc/.../net files in the namespace the options name: a named one is entered
 * with setns (root), another process's is read through /proc/PID/net, ours through /proc/net.
 */
async function fromSource<T>(
  opts: SnapshotOptions,
  procRoot: string,
  read: (where: { pid?: number }) => T,
): Promise<{ value: T; netns?: NetnsRef }> {
  if (opts.netns !== undefined) {
    const name = opts.netns;
    if (name.includes('/') || name.startsWith('.'))
      throw new UsageError(`--netns: bad namespace name '${name}'`);
    const path = `${NETNS_RUN_DIR}/${name}`;
    let inode: number;
    try {
      inode = statSync(path).ino;
    } catch {
      throw new UsageError(`--netns: no network namespace '${name}' (see: ip netns list)`);
    }
    await prepareNetns();
    return { value: inNetns(path, `'${name}'`, () => read({})), netns: { inode, name } };
  }
  const value = read(opts.netnsPid === undefined ? {} : { pid: opts.netnsPid });
  const inode = netnsInode(procRoot, opts.netnsPid ?? 'self');
  return inode === undefined ? { value } : { value, netns: netnsRef(inode, namedNetns()) };
}

/**
 * Per-state counts straight from the table's state column, without building sockets: the fast
 * path of `count` when nothing but states and family is filtered. No de-duplication.
 */
export async function countStatesFast(
  opts: SnapshotOptions = {},
): Promise<CountResult & { malformed: number }> {
  const procRoot = opts.procRoot ?? '/proc';
  const base = { procRoot, ...(opts.families ? { families: opts.families } : {}) };
  const { value } = await fromSource(opts, procRoot, (where) => countTcpTable({ ...base, ...where }));
  const mask = opts.stateMask ?? ALL_STATES;
  const states: StateCounts = {};
  let total = 0;
  TCP_STATES.forEach((st, i) => {
    const n = value.counts[i + 1]!;
    if (n > 0 && (mask & (1 << (i + 1))) !== 0) {
      states[st] = n;
      total += n;
    }
  });
  return { total, states, malformed: value.malformed };
}

/** Reads the table once and returns it as a Snapshot. */
export async function takeSnapshot(opts: SnapshotOptions = {}): Promise<Snapshot> {
  const procRoot = opts.procRoot ?? '/proc';
  const wanted = opts.stateMask ?? ALL_STATES;
  // Listeners are read even when filtered out: unowned children are attributed to them.
  const readOpts = {
    procRoot,
    stateMask: wanted | LISTEN_BIT,
    ...(opts.families ? { families: opts.families } : {}),
  };
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const { value: read, netns } = await fromSource(opts, procRoot, (where) =>
    readTcpTable({ ...readOpts, ...where }),
  );
  const sockets = dedupe(read.sockets);
  const snap: Snapshot = { time, source: 'procfs', sockets };
  if (netns) snap.netns = netns;
  if (read.malformed > 0) snap.malformed = read.malformed;
  if (opts.owners) lookUpOwners(snap, procRoot, opts.cmdline ?? false);
  attribute(sockets);
  if ((wanted & LISTEN_BIT) === 0) snap.sockets = sockets.filter((s) => s.state !== 'LISTEN');
  if (read.firstError !== undefined) {
    snap.warnings = [`${read.malformed} malformed line(s) skipped, the first at ${read.firstError}`];
  }
  return snap;
}

function lookUpOwners(snap: Snapshot, procRoot: string, cmdline: boolean): void {
  const wanted = new Set<number>();
  for (const s of snap.sockets) if (s.inode !== 0) wanted.add(s.inode);
  const scan = scanOwners({ procRoot, wanted, userName: userNames(), cmdline });
  for (const s of snap.sockets) s.owners = s.inode === 0 ? [] : (scan.byInode.get(s.inode) ?? []);
  if (scan.unseen > 0) {
    snap.unseen = {
      processes: scan.unseen,
      reason: `${scan.unseen} process${scan.unseen === 1 ? '' : 'es'} could not be inspected: run as root to see their sockets' owners`,
    };
  }
}

/**
 * Neither procfs nor netlink reads a changing table atomically: a socket can be listed twice.
 * Sockets with an inode are keyed by it (SO_REUSEPORT listeners share a 4-tuple); others by 4-tuple.
 */
function dedupe(sockets: Socket[]): Socket[] {
  const seen = new Set<string | number>();
  const out: Socket[] = [];
  for (const s of sockets) {
    const key =
      s.inode !== 0
        ? s.inode
        : `${s.family} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}
