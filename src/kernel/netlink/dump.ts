/**
 * Dumps the TCP table over an open sock_diag socket: both families in one walk of the kernel's hash
 * tables (TCPDIAG_GETSOCK; one SOCK_DIAG_BY_FAMILY request per family when only one is wanted, or
 * when a kernel refuses the old request), the replies taken in batches while the kernel fills the
 * next (socket.ts) and parsed as they come. Thin: the bytes are parse.ts's and request.ts's.
 */
import { type ByteReader, HOST_LITTLE_ENDIAN } from '../../net/byte-reader.js';
import type { Socket } from '../../tcp/socket.js';
import { compileFilter, type DiagExpr } from './bytecode.js';
import { countDatagram, DiagParser, type DumpStatus, newStatus } from './parse.js';
import { dumpRequest } from './request.js';
import { type DiagSocket, errnoError } from './socket.js';
import { extBit, INET_DIAG } from './wire.js';

export interface DumpOptions {
  /** Which families; both by default. */
  families?: readonly (4 | 6)[];
  /** Kernel state codes wanted, bit N for code N. */
  states: number;
  /** tcp_info, congestion control and shutdown (`ls -i`). */
  info?: boolean;
  /** Socket memory (`ls -m`). */
  memory?: boolean;
  /** Keep each socket's raw id, for SOCK_DESTROY. */
  ids?: boolean;
  /** Ports and addresses, filtered by the kernel. */
  filter?: DiagExpr;
  /** Sees each datagram as received (the fixture recorder). */
  onDatagram?: (family: DumpFamily, bytes: Uint8Array) => void;
  /**
   * Read datagram by datagram on this thread instead of in batches on a worker thread: better when
   * there is nothing to do with a batch while the next is fetched (counting).
   */
  plainRecv?: boolean;
}

export interface DumpResult {
  sockets: Socket[];
  /** With `ids`: the family and raw inet_diag_sockid of each socket. */
  ids: { family: 4 | 6; id: Uint8Array }[];
  malformed: number;
  firstError?: string;
  /** The kernel flagged the dump as inconsistent (NLM_F_DUMP_INTR), the second time too. */
  interrupted: boolean;
  /** The first dump was flagged, so it was taken again. */
  retried?: true;
}

export const LITTLE_ENDIAN = HOST_LITTLE_ENDIAN;

/** What one request dumps: one family, or both in one walk. */
export type DumpFamily = 4 | 6 | 'both';

let bothRefused = false;

/** The requests that dump `families` (both by default): one when it can. */
export function dumpPlan(families: readonly (4 | 6)[] | undefined): DumpFamily[] {
  const want = families ?? [4, 6];
  if (want.length === 1) return [want[0]!];
  return bothRefused ? [4, 6] : ['both'];
}

/**
 * Runs `one` for each request of the plan. A kernel that refuses the both-families request before
 * sending anything is asked again family by family (and not asked that way again).
 */
export async function forEachDump(
  families: readonly (4 | 6)[] | undefined,
  one: (family: DumpFamily, status: DumpStatus) => Promise<void>,
): Promise<DumpStatus[]> {
  const statuses: DumpStatus[] = [];
  for (const family of dumpPlan(families)) {
    const status = newStatus();
    try {
      await one(family, status);
    } catch (e) {
      if (family !== 'both' || status.error === undefined || status.fed) throw e;
      bothRefused = true;
      return forEachDump(families, one);
    }
    statuses.push(status);
  }
  return statuses;
}

/**
 * Sends the dump request for one family and hands each reply datagram to `feed` until the dump
 * ends; a refused dump (NLMSG_ERROR) becomes an error naming the errno.
 */
export async function runDump(
  sock: DiagSocket,
  family: DumpFamily,
  opts: DumpOptions,
  status: DumpStatus,
  feed: (dgram: ByteReader) => void,
): Promise<void> {
  let ext = 0;
  if (opts.info) ext |= extBit(INET_DIAG.INFO) | extBit(INET_DIAG.CONG);
  if (opts.memory) ext |= extBit(INET_DIAG.SKMEMINFO);
  const req = { family, states: opts.states, ext, seq: 1, littleEndian: LITTLE_ENDIAN };
  sock.send(dumpRequest(opts.filter ? { ...req, bytecode: compileFilter(opts.filter, LITTLE_ENDIAN) } : req));
  if (opts.plainRecv) {
    while (!status.done) {
      const d = sock.recvOne();
      if (d.length === 0) throw errnoError('netlink: the dump ended without NLMSG_DONE', 0);
      opts.onDatagram?.(family, d.bytesAt(0, d.length));
      feed(d);
    }
  } else {
    await readBatches(sock, family, opts, status, feed);
  }
  if (status.error !== undefined) throw refused(family, status.error);
}

function refused(family: DumpFamily, errno: number): Error {
  return errnoError(
    `netlink: the kernel refused the dump of ${family === 'both' ? 'TCP' : `IPv${family}`}`,
    errno,
  );
}

async function readBatches(
  sock: DiagSocket,
  family: DumpFamily,
  opts: DumpOptions,
  status: DumpStatus,
  feed: (dgram: ByteReader) => void,
): Promise<void> {
  for await (const batch of sock.batches()) {
    for (const d of batch) {
      if (d.length === 0) throw errnoError('netlink: the dump ended without NLMSG_DONE', 0);
      opts.onDatagram?.(family, d.bytesAt(0, d.length));
      feed(d);
      if (status.done) break;
    }
    if (status.done) break;
  }
  if (status.error !== undefined) throw refused(family, status.error);
}

/**
 * Runs a dump, and once more when the kernel flagged it as interrupted (NLM_F_DUMP_INTR: the table
 * changed while it was walked, so a socket may be missing or listed twice). The second result is
 * kept either way; its `interrupted` says whether it is still inconsistent.
 */
export async function retryInterrupted<T extends { interrupted: boolean; retried?: true | undefined }>(
  dump: () => Promise<T>,
): Promise<T> {
  const first = await dump();
  if (!first.interrupted) return first;
  const second = await dump();
  second.retried = true;
  return second;
}

/**
 * Every TCP socket of the socket's namespace that passes the options' states and filter, dumped
 * again once if the kernel flags the dump as interrupted.
 */
export function dumpTcp(sock: DiagSocket, opts: DumpOptions): Promise<DumpResult> {
  return retryInterrupted(() => dumpOnce(sock, opts));
}

async function dumpOnce(sock: DiagSocket, opts: DumpOptions): Promise<DumpResult> {
  const out: DumpResult = { sockets: [], ids: [], malformed: 0, interrupted: false };
  const statuses = await forEachDump(opts.families, async (family, status) => {
    const parser = new DiagParser(
      {
        littleEndian: LITTLE_ENDIAN,
        info: opts.info ?? false,
        memory: opts.memory ?? false,
        ids: opts.ids ?? false,
      },
      status,
    );
    await runDump(sock, family, opts, status, (d) => parser.feed(d));
    for (const s of parser.sockets) out.sockets.push(s);
    for (const id of parser.ids) out.ids.push(id);
  });
  for (const st of statuses) {
    out.malformed += st.malformed;
    if (out.firstError === undefined && st.firstError !== undefined) out.firstError = st.firstError;
    if (st.interrupted) out.interrupted = true;
  }
  return out;
}

export interface CountDump {
  /** Sockets per kernel state code, index 1 to 11. */
  counts: number[];
  malformed: number;
  firstError?: string;
  /** As in DumpResult. */
  interrupted: boolean;
  retried?: true;
}

/**
 * Per-state counts (index = kernel code 1 to 11) without building sockets: `count`'s fast path.
 * Counted again once if the kernel flags the dump as interrupted.
 */
export function countTcp(sock: DiagSocket, opts: DumpOptions): Promise<CountDump> {
  return retryInterrupted(() => countOnce(sock, opts));
}

async function countOnce(sock: DiagSocket, opts: DumpOptions): Promise<CountDump> {
  const out: CountDump = { counts: new Array<number>(12).fill(0), malformed: 0, interrupted: false };
  const plain = { ...opts, info: false, memory: false, plainRecv: true };
  const statuses = await forEachDump(opts.families, (family, status) =>
    runDump(sock, family, plain, status, (d) => countDatagram(d, LITTLE_ENDIAN, status, out.counts)),
  );
  for (const st of statuses) {
    out.malformed += st.malformed;
    if (out.firstError === undefined && st.firstError !== undefined) out.firstError = st.firstError;
    if (st.interrupted) out.interrupted = true;
  }
  return out;
}
