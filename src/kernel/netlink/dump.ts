/**
 * Dumps the TCP table over an open sock_diag socket: one request per family, the replies taken in
 * batches while the kernel fills the next (socket.ts) and parsed as they come. Thin: the bytes are
 * parse.ts's and request.ts's.
 */
import { endianness } from 'node:os';
import type { ByteReader } from '../../net/byte-reader.js';
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
  onDatagram?: (family: 4 | 6, bytes: Uint8Array) => void;
}

export interface DumpResult {
  sockets: Socket[];
  /** With `ids`: the family and raw inet_diag_sockid of each socket. */
  ids: { family: 4 | 6; id: Uint8Array }[];
  malformed: number;
  firstError?: string;
  interrupted: boolean;
}

export const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Sends the dump request for one family and hands each reply datagram to `feed` until the dump
 * ends; a refused dump (NLMSG_ERROR) becomes an error naming the errno.
 */
export async function runDump(
  sock: DiagSocket,
  family: 4 | 6,
  opts: DumpOptions,
  status: DumpStatus,
  feed: (dgram: ByteReader) => void,
): Promise<void> {
  let ext = 0;
  if (opts.info) ext |= extBit(INET_DIAG.INFO) | extBit(INET_DIAG.CONG);
  if (opts.memory) ext |= extBit(INET_DIAG.SKMEMINFO);
  const req = { family, states: opts.states, ext, seq: 1, littleEndian: LITTLE_ENDIAN };
  sock.send(dumpRequest(opts.filter ? { ...req, bytecode: compileFilter(opts.filter, LITTLE_ENDIAN) } : req));
  for await (const batch of sock.batches()) {
    for (const d of batch) {
      if (d.length === 0) throw errnoError('netlink: the dump ended without NLMSG_DONE', 0);
      opts.onDatagram?.(family, d.bytesAt(0, d.length));
      feed(d);
      if (status.done) break;
    }
    if (status.done) break;
  }
  if (status.error !== undefined)
    throw errnoError(`netlink: the kernel refused the dump of IPv${family}`, status.error);
}

/** Every TCP socket of the socket's namespace that passes the options' states and filter. */
export async function dumpTcp(sock: DiagSocket, opts: DumpOptions): Promise<DumpResult> {
  const out: DumpResult = { sockets: [], ids: [], malformed: 0, interrupted: false };
  for (const family of opts.families ?? [4, 6]) {
    const parser = new DiagParser({
      littleEndian: LITTLE_ENDIAN,
      info: opts.info ?? false,
      memory: opts.memory ?? false,
      ids: opts.ids ?? false,
    });
    await runDump(sock, family, opts, parser.status, (d) => parser.feed(d));
    for (const s of parser.sockets) out.sockets.push(s);
    for (const id of parser.ids) out.ids.push({ family, id });
    out.malformed += parser.status.malformed;
    if (out.firstError === undefined && parser.status.firstError !== undefined) {
      out.firstError = parser.status.firstError;
    }
    if (parser.status.interrupted) out.interrupted = true;
  }
  return out;
}

export interface CountDump {
  /** Sockets per kernel state code, index 1 to 11. */
  counts: number[];
  malformed: number;
  firstError?: string;
}

/** Per-state counts (index = kernel code 1 to 11) without building sockets: `count`'s fast path. */
export async function countTcp(sock: DiagSocket, opts: DumpOptions): Promise<CountDump> {
  const out: CountDump = { counts: new Array<number>(12).fill(0), malformed: 0 };
  for (const family of opts.families ?? [4, 6]) {
    const status = newStatus();
    await runDump(sock, family, { ...opts, info: false, memory: false }, status, (d) =>
      countDatagram(d, LITTLE_ENDIAN, status, out.counts),
    );
    out.malformed += status.malformed;
    if (out.firstError === undefined && status.firstError !== undefined) out.firstError = status.firstError;
  }
  return out;
}
