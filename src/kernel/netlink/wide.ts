/**
 * The TCP table as columns wide enough to show connections, for the live view: per socket its
 * state, family, both ports, both addresses (16 bytes each, IPv4 in the first 4), queues, inode and
 * a 53-bit hash of its 4-tuple (its identity across readings: a connection keeps its tuple from SYN
 * to close, while its inode comes at accept() and goes when it is orphaned). No object or string is
 * made per socket: a reader makes texts only for the rows it shows. Deduplicated like `lean.ts`.
 */
import type { ByteReader } from '../../net/byte-reader.js';
import { type DumpOptions, LITTLE_ENDIAN, retryInterrupted } from './dump.js';
import { dumpPlain, foldStatuses, grown, keepOnce } from './lean.js';
import { stateCodeOf } from './parse.js';
import type { DiagSocket } from './socket.js';
import { tupleKey } from './tuple-key.js';
import { type DumpStatus, walkDatagram } from './walk.js';
import {
  ALIGN,
  DIAG_MSG,
  NLM_F_DUMP_INTR,
  NLMSG,
  SOCK_DIAG_BY_FAMILY,
  SOCKID,
  TCP_NEW_SYN_RECV,
  TCPDIAG_GETSOCK,
} from './wire.js';

/** Columns that grow by doubling; `n` sockets in each. */
export class WideColumns {
  n = 0;
  /** The kernel's state code, 1 to 11 (a request socket's 12 counted as SYN_RECV, 3). */
  state = new Uint8Array(1024);
  family = new Uint8Array(1024);
  lport = new Uint16Array(1024);
  rport = new Uint16Array(1024);
  /** 16 bytes a socket, network order; an IPv4 address in the first 4. */
  laddr = new Uint8Array(1024 * 16);
  raddr = new Uint8Array(1024 * 16);
  /** The same bytes as host-order words, 4 a socket (how the reader fills them). */
  laddr32 = new Uint32Array(this.laddr.buffer);
  raddr32 = new Uint32Array(this.raddr.buffer);
  recvQ = new Uint32Array(1024);
  sendQ = new Uint32Array(1024);
  /** 0 for a socket no file holds (timewait, request and orphaned sockets). */
  inode = new Uint32Array(1024);
  /** Hash of family and 4-tuple, 1 to 2^53. */
  key = new Float64Array(1024);
  malformed = 0;
  /** Always present (undefined when none), as `retried`: a reader that reads again and again keeps one shape. */
  firstError: string | undefined = undefined;
  interrupted = false;
  retried: true | undefined = undefined;

  /** Empties the columns for another reading, keeping their memory. */
  reset(): this {
    this.n = 0;
    this.malformed = 0;
    this.firstError = undefined;
    this.interrupted = false;
    this.retried = undefined;
    return this;
  }

  grow(): void {
    const size = this.state.length * 2;
    this.state = grown(this.state, new Uint8Array(size));
    this.family = grown(this.family, new Uint8Array(size));
    this.lport = grown(this.lport, new Uint16Array(size));
    this.rport = grown(this.rport, new Uint16Array(size));
    this.laddr = grown(this.laddr, new Uint8Array(size * 16));
    this.raddr = grown(this.raddr, new Uint8Array(size * 16));
    this.laddr32 = new Uint32Array(this.laddr.buffer);
    this.raddr32 = new Uint32Array(this.raddr.buffer);
    this.recvQ = grown(this.recvQ, new Uint32Array(size));
    this.sendQ = grown(this.sendQ, new Uint32Array(size));
    this.inode = grown(this.inode, new Uint32Array(size));
    this.key = grown(this.key, new Float64Array(size));
  }

  /** Moves socket `from` to row `to` (to < from). */
  move(from: number, to: number): void {
    this.state[to] = this.state[from]!;
    this.family[to] = this.family[from]!;
    this.lport[to] = this.lport[from]!;
    this.rport[to] = this.rport[from]!;
    this.laddr.copyWithin(to * 16, from * 16, from * 16 + 16);
    this.raddr.copyWithin(to * 16, from * 16, from * 16 + 16);
    this.recvQ[to] = this.recvQ[from]!;
    this.sendQ[to] = this.sendQ[from]!;
    this.inode[to] = this.inode[from]!;
    this.key[to] = this.key[from]!;
  }
}

const words = new Uint32Array(9);

/** Adds socket `i`, whose fixed message starts at absolute offset `at` of `b`/`v`, to the columns. */
function addSocket(c: WideColumns, b: Uint8Array, v: DataView, at: number, code: number): void {
  if (c.n === c.state.length) c.grow();
  const i = c.n++;
  const le = LITTLE_ENDIAN;
  const id = at + DIAG_MSG.id;
  const family = b[at + DIAG_MSG.family] === 10 ? 6 : 4;
  c.state[i] = code;
  c.family[i] = family;
  // Ports big-endian on the wire.
  c.lport[i] = (b[id + SOCKID.sport]! << 8) | b[id + SOCKID.sport + 1]!;
  c.rport[i] = (b[id + SOCKID.dport]! << 8) | b[id + SOCKID.dport + 1]!;
  // The sockid's words in host order: ports, then each address's four words as its bytes lie.
  for (let k = 0; k < 9; k++) words[k] = v.getUint32(id + k * 4, le);
  const l = c.laddr32;
  const r = c.raddr32;
  const o = i * 4;
  l[o] = words[1]!;
  l[o + 1] = words[2]!;
  l[o + 2] = words[3]!;
  l[o + 3] = words[4]!;
  r[o] = words[5]!;
  r[o + 1] = words[6]!;
  r[o + 2] = words[7]!;
  r[o + 3] = words[8]!;
  c.recvQ[i] = v.getUint32(at + DIAG_MSG.rqueue, le);
  c.sendQ[i] = v.getUint32(at + DIAG_MSG.wqueue, le);
  c.inode[i] = v.getUint32(at + DIAG_MSG.inode, le);
  c.key[i] = tupleKey(family, words);
}

/**
 * Adds the sockets of one reply datagram to the columns. The messages of a healthy dump (whole
 * socket messages, one after another) are read in one loop; from the first other one (the end of
 * the dump, an error, a short or unknown message) the rest of the datagram goes through
 * `walkDatagram`, which says what it is.
 */
export function wideDatagram(dgram: ByteReader, status: DumpStatus, c: WideColumns): void {
  const b = dgram.bytes;
  const v = dgram.view;
  const le = LITTLE_ENDIAN;
  const end = dgram.end;
  let off = dgram.start;
  while (!status.done && off + NLMSG.SIZE + DIAG_MSG.SIZE <= end) {
    const len = v.getUint32(off + NLMSG.len, le);
    const type = v.getUint16(off + NLMSG.type, le);
    if (len < NLMSG.SIZE + DIAG_MSG.SIZE || len > end - off) break;
    if (type !== SOCK_DIAG_BY_FAMILY && type !== TCPDIAG_GETSOCK) break;
    const at = off + NLMSG.SIZE;
    const state = b[at + DIAG_MSG.state]!;
    if (state !== TCP_NEW_SYN_RECV && (state < 1 || state > 11)) break;
    if ((v.getUint16(off + NLMSG.flags, le) & NLM_F_DUMP_INTR) !== 0) status.interrupted = true;
    status.fed = true;
    addSocket(c, b, v, at, state === TCP_NEW_SYN_RECV ? 3 : state);
    off += (len + ALIGN - 1) & ~(ALIGN - 1);
  }
  if (status.done || off >= end) return;
  walkDatagram(
    dgram,
    LITTLE_ENDIAN,
    status,
    (r, o, len) => {
      const code = stateCodeOf(r, o, len, status);
      if (code !== 0) addSocket(c, r.bytes, r.view, r.need(o, DIAG_MSG.SIZE), code);
    },
    off - dgram.start,
  );
}

/**
 * The table as wide columns (both families unless `opts.families` says otherwise), into `into`
 * when given (a reader that reads again and again keeps its columns' memory). Each socket once.
 */
export function wideTcp(sock: DiagSocket, opts: DumpOptions, into?: WideColumns): Promise<WideColumns> {
  return retryInterrupted(async () => {
    const c = into ? into.reset() : new WideColumns();
    const statuses = await dumpPlain(sock, opts, (d, status) => wideDatagram(d, status, c));
    c.n = keepOnce(c.n, c.inode, c.key, (i, w) => c.move(i, w));
    foldStatuses(c, statuses);
    return c;
  });
}
