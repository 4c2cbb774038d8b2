/**
 * Where a table is read from: netlink (sock_diag) or procfs, and in which network namespace.
 * `auto` tries netlink and falls back to procfs with one warning when netlink cannot be used (no
 * koffi binary, a seccomp filter, a kernel without inet_diag, no right to enter the namespace).
 * Sequencing only: the reading is kernel/'s.
 */
import { statSync } from 'node:fs';
import { TcpscopeError, UsageError } from '../errors.js';
import type { DiagExpr } from '../kernel/netlink/bytecode.js';
import { destroySockets } from '../kernel/netlink/destroy.js';
import { countTcp, dumpTcp } from '../kernel/netlink/dump.js';
import { type LeanTable, leanTcp } from '../kernel/netlink/lean.js';
import { DiagSocket, loadNetlink } from '../kernel/netlink/socket.js';
import { type WideColumns, wideTcp } from '../kernel/netlink/wide.js';
import { inNetns, NETNS_RUN_DIR, namedNetns, netnsInode, netnsRef, prepareNetns } from '../kernel/netns.js';
import { countTcpTable, readTcpTable } from '../kernel/procfs.js';
import type { NetnsRef, Socket } from '../tcp/socket.js';

export type SourceChoice = 'auto' | 'netlink' | 'procfs';
export const SOURCE_CHOICES: readonly SourceChoice[] = ['auto', 'netlink', 'procfs'];

/** A namespace to read: a file to setns(2) into and/or a process whose /proc/PID/net to read. */
export interface NetnsTarget {
  /** /run/netns/NAME or /proc/PID/ns/net; absent for our own namespace. */
  path?: string;
  /** For procfs: read /proc/PID/net instead of entering the namespace. */
  pid?: number;
  /** How to name it, for messages (`'blue'`, `of pid 42`). */
  what?: string;
  netns?: NetnsRef;
  /**
   * A sock_diag socket kept open in this namespace (a probe's, src/probe/): reads take it in turn
   * instead of opening and closing one of their own.
   */
  diag?: KeptDiagSocket;
}

/** A sock_diag socket kept open between reads, lent to one read at a time. */
export interface KeptDiagSocket {
  /** Runs `fn` on the socket once the reads before it are done. */
  use<T>(fn: (sock: DiagSocket) => T | Promise<T>): Promise<T>;
}

/** What to read. */
export interface TableRequest {
  procRoot: string;
  source: SourceChoice;
  /** Kernel state codes, bit N for code N. */
  states: number;
  families?: readonly (4 | 6)[];
  info?: boolean;
  memory?: boolean;
  /** Keep the netlink ids of the sockets (for SOCK_DESTROY); forces netlink. */
  ids?: boolean;
  /** Port and address filter for the kernel (netlink only; JS filters again anyway). */
  filter?: DiagExpr;
}

/** The netlink id of a socket: its family and raw inet_diag_sockid. */
export interface DiagId {
  family: 4 | 6;
  id: Uint8Array;
}

export interface TableRead {
  source: 'netlink' | 'procfs';
  sockets: Socket[];
  malformed: number;
  firstError?: string;
  /** One line each for stderr. */
  warnings: string[];
  ids?: Map<Socket, DiagId>;
  /** The kernel flagged the dump as inconsistent, and the dump taken again too (netlink). */
  interrupted?: true;
}

/** The warning of a dump the kernel flagged as interrupted twice. */
export const INTERRUPTED_WARNING =
  'the table changed while the kernel dumped it, twice in a row (NLM_F_DUMP_INTR): a socket may be missing or listed twice';

/** The namespace the options name: `--netns NAME`, `--netns-pid PID`, or ours. */
export function resolveTarget(
  o: { netns?: string; netnsPid?: number },
  procRoot: string,
  runDir = NETNS_RUN_DIR,
): NetnsTarget {
  if (o.netns !== undefined) {
    const name = o.netns;
    if (name.includes('/') || name.startsWith('.') || name === '')
      throw new UsageError(`--netns: bad namespace name '${name}'`);
    const path = `${runDir}/${name}`;
    let inode: number;
    try {
      inode = statSync(path).ino;
    } catch {
      throw new UsageError(`--netns: no network namespace '${name}' (see: ip netns list)`);
    }
    return { path, what: `'${name}'`, netns: { inode, name } };
  }
  if (o.netnsPid !== undefined) {
    const pid = o.netnsPid;
    const inode = netnsInode(procRoot, pid);
    if (inode === undefined)
      throw new UsageError(`--netns-pid: no process ${pid} (or its namespace is unreadable)`);
    return {
      path: `${procRoot}/${pid}/ns/net`,
      pid,
      what: `of pid ${pid}`,
      netns: netnsRef(inode, namedNetns(runDir), procRoot),
    };
  }
  const inode = netnsInode(procRoot, 'self');
  return inode === undefined ? {} : { netns: netnsRef(inode, namedNetns(runDir), procRoot) };
}

/** Whether `auto` means netlink here: not with a fixture proc tree. */
export function wantsNetlink(req: TableRequest): boolean {
  if (req.ids) return true;
  if (req.source === 'auto') return req.procRoot === '/proc';
  return req.source === 'netlink';
}

/** Opens a sock_diag socket in the target namespace (the caller closes it). */
export async function openDiagSocket(target: NetnsTarget): Promise<DiagSocket> {
  await loadNetlink();
  if (!target.path) return DiagSocket.open();
  await prepareNetns();
  return inNetns(target.path, target.what ?? target.path, () => DiagSocket.open());
}

/**
 * Runs `fn` on the target's kept sock_diag socket, or on one opened in its namespace for this call
 * and closed after.
 */
export async function withDiagSocket<T>(
  target: NetnsTarget,
  fn: (sock: DiagSocket) => T | Promise<T>,
): Promise<T> {
  if (target.diag) return target.diag.use(fn);
  const sock = await openDiagSocket(target);
  try {
    return await fn(sock);
  } finally {
    sock.close();
  }
}

/** Runs a /proc/.../net reader in the target: through /proc/PID/net, or inside the namespace. */
export async function inProcfs<T>(target: NetnsTarget, read: (where: { pid?: number }) => T): Promise<T> {
  if (target.pid !== undefined) return read({ pid: target.pid });
  if (target.path) {
    await prepareNetns();
    return inNetns(target.path, target.what ?? target.path, () => read({}));
  }
  return read({});
}

/**
 * Tries netlink when wanted; on failure `auto` falls back to `fallback` with a warning, an explicit
 * `netlink` fails.
 */
async function either<T extends { warnings: string[] }>(
  req: TableRequest,
  netlink: () => Promise<T>,
  procfs: () => Promise<T>,
): Promise<T> {
  if (!wantsNetlink(req)) return procfs();
  try {
    return await netlink();
  } catch (e) {
    if (req.source !== 'auto' || req.ids || !(e instanceof TcpscopeError)) throw e;
    const r = await procfs();
    r.warnings.unshift(`netlink unavailable (${e.message}): reading /proc/net/tcp instead`);
    return r;
  }
}

/** Reads a namespace's table from the chosen source. */
export async function readTable(target: NetnsTarget, req: TableRequest): Promise<TableRead> {
  const families = req.families ? { families: req.families } : {};
  const r = await either(
    req,
    () =>
      withDiagSocket(target, async (sock): Promise<TableRead> => {
        const d = await dumpTcp(sock, {
          ...families,
          states: req.states,
          info: req.info ?? false,
          memory: req.memory ?? false,
          ids: req.ids ?? false,
          ...(req.filter ? { filter: req.filter } : {}),
        });
        const out: TableRead = {
          source: 'netlink',
          sockets: d.sockets,
          malformed: d.malformed,
          warnings: [],
        };
        if (d.firstError !== undefined) out.firstError = d.firstError;
        if (d.interrupted) {
          out.interrupted = true;
          out.warnings.push(INTERRUPTED_WARNING);
        }
        if (req.ids) out.ids = new Map(d.sockets.map((s, i) => [s, d.ids[i]!]));
        return out;
      }),
    () =>
      inProcfs(target, (where): TableRead => {
        const t = readTcpTable({ procRoot: req.procRoot, stateMask: req.states, ...families, ...where });
        const out: TableRead = { source: 'procfs', sockets: t.sockets, malformed: t.malformed, warnings: [] };
        if (t.firstError !== undefined) out.firstError = t.firstError;
        return out;
      }),
  );
  if (r.source === 'procfs' && (req.info || req.memory)) {
    r.warnings.push('tcp_info (-i) and socket memory (-m) come from netlink only: not shown');
  }
  return r;
}

export interface CountRead {
  source: 'netlink' | 'procfs';
  /** Per kernel state code, index 1 to 11. */
  counts: number[];
  malformed: number;
  warnings: string[];
}

/**
 * Per-state counts without building sockets. With a `filter`, only netlink can count (the kernel
 * filters): undefined is returned when the table had to come from procfs, and the caller counts
 * from a snapshot instead.
 */
export async function countTable(target: NetnsTarget, req: TableRequest): Promise<CountRead | undefined> {
  if (req.filter && !wantsNetlink(req)) return undefined;
  const families = req.families ? { families: req.families } : {};
  const procfs = async (): Promise<CountRead> =>
    inProcfs(target, (where) => {
      const c = countTcpTable({ procRoot: req.procRoot, ...families, ...where });
      return { source: 'procfs' as const, counts: c.counts, malformed: c.malformed, warnings: [] };
    });
  const r = await either(
    req,
    () =>
      withDiagSocket(target, async (sock): Promise<CountRead> => {
        const opts = { ...families, states: req.states, ...(req.filter ? { filter: req.filter } : {}) };
        const c = await countTcp(sock, opts);
        const warnings = c.interrupted ? [INTERRUPTED_WARNING] : [];
        return { source: 'netlink', counts: c.counts, malformed: c.malformed, warnings };
      }),
    procfs,
  );
  return r.source === 'procfs' && req.filter ? undefined : r;
}

/**
 * The table as columns (state, family, local port, inode) over netlink, for readers that only count;
 * undefined when netlink is not what this request reads with (procfs asked for, another /proc).
 */
export async function readLeanTable(target: NetnsTarget, req: TableRequest): Promise<LeanTable | undefined> {
  if (!wantsNetlink(req) || req.filter) return undefined;
  return withDiagSocket(target, (sock) =>
    leanTcp(sock, { ...(req.families ? { families: req.families } : {}), states: req.states }),
  );
}

/** The table as wide columns over netlink (the live view); undefined as for {@link readLeanTable}. */
export async function readWideTable(
  target: NetnsTarget,
  req: TableRequest,
  into?: WideColumns,
): Promise<WideColumns | undefined> {
  if (!wantsNetlink(req) || req.filter) return undefined;
  return withDiagSocket(target, (sock) =>
    wideTcp(sock, { ...(req.families ? { families: req.families } : {}), states: req.states }, into),
  );
}

/** Closes sockets with SOCK_DESTROY, in the target namespace: 0 or an errno for each. */
export async function destroyInNetns(target: NetnsTarget, ids: readonly DiagId[]): Promise<number[]> {
  return withDiagSocket(target, (sock) => destroySockets(sock, ids));
}
