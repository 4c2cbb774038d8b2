/**
 * One snapshot of a namespace's TCP table: read (netlink or procfs, source.ts), de-duplicated,
 * owners looked up when asked, and sockets without owners attributed. The I/O lives in kernel/;
 * this file only sequences it.
 */

import { setFlagsFromString } from 'node:v8';
import type { DiagExpr } from '../kernel/netlink/bytecode.js';
import { attachOwners, type SocketFds, scanSocketFds, startSocketFdScan } from '../kernel/owners.js';
import { procHiding } from '../kernel/proc-hiding.js';
import { userNames } from '../kernel/users.js';
import { UintSet } from '../net/uint-set.js';
import type { Snapshot, Socket } from '../tcp/socket.js';
import { ALL_STATES, type StateMask } from '../tcp/state-names.js';
import { stateCode, TCP_STATES } from '../tcp/states.js';
import type { CountResult, StateCounts } from './aggregate.js';
import { attribute } from './attribute.js';
import {
  countTable,
  type DiagId,
  INTERRUPTED_WARNING,
  type NetnsTarget,
  readTable,
  resolveTarget,
  type SourceChoice,
  type TableRead,
  type TableRequest,
} from './source.js';

export interface SnapshotOptions {
  /** The proc mount; `/proc` by default. */
  procRoot?: string;
  /** netlink, procfs, or `auto` (the default): netlink, else procfs with a warning. */
  source?: SourceChoice;
  /** A namespace named under /run/netns (`ip netns add NAME`). */
  netns?: string;
  /** The namespace of this process. */
  netnsPid?: number;
  /** Look up the processes that hold each socket. */
  owners?: boolean;
  /** With owners, also read their full command lines. */
  cmdline?: boolean;
  /**
   * Scan the processes' fds on a worker thread while the table is read (true by default with
   * `info`, whose dump is long enough to hide the scan behind it): about half a second less at
   * 100,000 sockets on two idle cores, and about 30 MB more peak memory (the worker's isolate and
   * allocations). false: the scan follows the dump on this thread.
   */
  parallelOwners?: boolean;
  /** Only these states (a mask as parseStateList makes). */
  stateMask?: StateMask;
  families?: readonly (4 | 6)[];
  /** struct tcp_info and the congestion control (netlink). */
  info?: boolean;
  /** Socket memory (netlink). */
  memory?: boolean;
  /** Ports and addresses for the kernel to filter on (netlink; the caller filters again). */
  filter?: DiagExpr;
  /** Keep the netlink ids of the sockets, for closing them (forces netlink). */
  ids?: boolean;
  /** Every network namespace, each socket tagged with its own (`--all-netns`; takeAllNetns). */
  allNetns?: boolean;
  /** The clock, for tests. */
  now?: () => Date;
  /**
   * The namespace already resolved, with the sock_diag socket kept open in it (a probe's,
   * src/probe/): `netns` and `netnsPid` are not resolved again.
   */
  target?: NetnsTarget;
}

/** A snapshot with the netlink ids of its sockets, when asked for. */
export interface SnapshotWithIds extends Snapshot {
  ids?: Map<Socket, DiagId>;
}

const LISTEN_BIT = 1 << stateCode('LISTEN');

let youngKeptSmall = false;

/**
 * A table is many objects made in a burst that all live to the end of the command. Seeing them
 * survive, V8 grows its young generation step by step to its limit (three 16 MB semi-spaces) though
 * they are promoted anyway; not growing it keeps the peak RSS of ls, the overview and the doctor
 * about 25 MB lower at 100,000 sockets, and costs no time (measured with bench/socket-table).
 * Process-wide, set once, before the first table is read.
 */
export function keepYoungGenerationSmall(): void {
  if (youngKeptSmall) return;
  youngKeptSmall = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** The namespace the options read: the one already resolved, or `--netns`, `--netns-pid` or ours. */
export function targetOf(opts: SnapshotOptions, procRoot = opts.procRoot ?? '/proc'): NetnsTarget {
  return opts.target ?? resolveTarget(opts, procRoot);
}

/** The table request of snapshot options. */
export function tableRequest(opts: SnapshotOptions, states: number): TableRequest {
  const req: TableRequest = {
    procRoot: opts.procRoot ?? '/proc',
    source: opts.source ?? 'auto',
    states,
  };
  if (opts.families) req.families = opts.families;
  if (opts.info) req.info = true;
  if (opts.memory) req.memory = true;
  if (opts.ids) req.ids = true;
  if (opts.filter) req.filter = opts.filter;
  return req;
}

/**
 * Per-state counts without building sockets: the fast path of `count` when nothing but states,
 * family and (with netlink, filtered by the kernel) ports and addresses are filtered. No
 * de-duplication. Undefined when the filter needs a snapshot after all (procfs cannot filter).
 */
export async function countStatesFast(
  opts: SnapshotOptions = {},
): Promise<(CountResult & { malformed: number; warnings: string[] }) | undefined> {
  const procRoot = opts.procRoot ?? '/proc';
  const mask = opts.stateMask ?? ALL_STATES;
  const read = await countTable(targetOf(opts, procRoot), tableRequest(opts, mask));
  if (!read) return undefined;
  const states: StateCounts = {};
  let total = 0;
  TCP_STATES.forEach((st, i) => {
    const n = read.counts[i + 1]!;
    if (n > 0 && (mask & (1 << (i + 1))) !== 0) {
      states[st] = n;
      total += n;
    }
  });
  return { total, states, malformed: read.malformed, warnings: read.warnings };
}

/**
 * Reads the listeners when the main read may have left some out (a state or kernel filter): the
 * sockets waiting on them are attributed to them.
 */
export async function readWithListeners(target: NetnsTarget, opts: SnapshotOptions): Promise<TableRead> {
  const wanted = opts.stateMask ?? ALL_STATES;
  const filtered = opts.filter !== undefined;
  const read = await readTable(target, tableRequest(opts, filtered ? wanted : wanted | LISTEN_BIT));
  if (filtered && read.source === 'netlink') {
    const { filter: _, ...rest } = opts;
    const listeners = await readTable(target, { ...tableRequest(rest, LISTEN_BIT), source: 'netlink' });
    for (const s of listeners.sockets) read.sockets.push(s);
    if (listeners.interrupted && !read.interrupted) {
      read.interrupted = true;
      read.warnings.push(INTERRUPTED_WARNING);
    }
  }
  return read;
}

/** Reads the table once and returns it as a Snapshot. */
export async function takeSnapshot(opts: SnapshotOptions = {}): Promise<SnapshotWithIds> {
  keepYoungGenerationSmall();
  const procRoot = opts.procRoot ?? '/proc';
  const wanted = opts.stateMask ?? ALL_STATES;
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const target = targetOf(opts, procRoot);
  const parallel = opts.owners && (opts.parallelOwners ?? opts.info ?? false);
  const fds = parallel ? startSocketFdScan(procRoot) : undefined;
  let read: TableRead;
  try {
    read = await readWithListeners(target, opts);
  } catch (e) {
    fds?.stop();
    throw e;
  }
  const sockets = dedupe(read.sockets);
  const snap: SnapshotWithIds = { time, source: read.source, sockets };
  if (target.netns) snap.netns = target.netns;
  if (read.ids) snap.ids = read.ids;
  if (read.malformed > 0) snap.malformed = read.malformed;
  if (read.interrupted) snap.interrupted = true;
  if (opts.owners) lookUpOwners(snap, procRoot, opts.cmdline ?? false, await fds?.finish());
  attribute(sockets);
  // Listeners read only for attribution leave again.
  if ((wanted & LISTEN_BIT) === 0) snap.sockets = sockets.filter((s) => s.state !== 'LISTEN');
  const warnings = [...read.warnings];
  if (read.firstError !== undefined) {
    const what = read.source === 'netlink' ? 'malformed netlink message(s)' : 'malformed line(s)';
    warnings.push(`${read.malformed} ${what} skipped, the first: ${read.firstError}`);
  }
  if (warnings.length > 0) snap.warnings = warnings;
  return snap;
}

/**
 * Looks up the processes holding the snapshot's sockets: from `fds` when the scan was started
 * earlier, else by one pass over /proc/*\/fd now.
 */
export function lookUpOwners(snap: Snapshot, procRoot: string, cmdline: boolean, fds?: SocketFds): void {
  const scan = attachOwners(fds ?? scanSocketFds(procRoot), snap.sockets, {
    procRoot,
    userName: userNames(),
    cmdline,
  });
  if (scan.unseen > 0) {
    snap.unseen = {
      processes: scan.unseen,
      reason: `${scan.unseen} process${scan.unseen === 1 ? '' : 'es'} could not be inspected: run as root to see their sockets' owners`,
    };
  }
  // With hidepid, other users' processes are not listed at all: their sockets have no owner and
  // no process was refused, so the reason must come from the mount itself.
  const hiding = procHiding(procRoot);
  if (hiding) {
    const sockets = snap.sockets.filter((s) => s.inode !== 0 && (s.owners?.length ?? 0) === 0).length;
    if (sockets > 0) {
      const group =
        hiding.gid === undefined ? '' : `, or as a member of group ${hiding.gid} (the mount's gid=)`;
      snap.unseen = {
        processes: scan.unseen,
        reason: `${sockets} socket${sockets === 1 ? '' : 's'} held by processes /proc hides (mounted with hidepid=${hiding.hidepid}): run as root${group} to see their owners`,
        hidepid: hiding.hidepid,
        sockets,
        ...(hiding.gid === undefined ? {} : { gid: hiding.gid }),
      };
    }
  }
}

/**
 * Neither procfs nor netlink reads a changing table atomically: a socket can be listed twice.
 * Sockets with an inode are keyed by it (SO_REUSEPORT listeners share a 4-tuple); others by 4-tuple.
 */
export function dedupe(sockets: Socket[]): Socket[] {
  const inodes = new UintSet(sockets.length);
  const tuples = new Set<string>();
  const out: Socket[] = [];
  for (const s of sockets) {
    if (s.inode !== 0) {
      if (!inodes.add(s.inode)) continue;
    } else {
      const key = `${s.family} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
      if (tuples.has(key)) continue;
      tuples.add(key);
    }
    out.push(s);
  }
  return out;
}
