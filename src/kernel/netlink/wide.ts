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
import { DIAG_MSG, SOCKID } from './wire.js';

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
  recvQ = new Uint32Array(1024);
  sendQ = new Uint32Array(1024);
  /** 0 for a socket no file holds (timewait, request and orphaned sockets). */
  inode = new Uint32Array(1024);
  /** Hash of family and 4-tuple, 1 to 2^53. */
  key = new Float64Array(1024);
  malformed = 0;
  firstError?: string;
  interrupted = false;
  retried?: true;

  /** Empties the columns for another reading, keeping their memory. */
  reset(): this {
    this.n = 0;
    this.malformed = 0;
    delete this.firstError;
    this.interrupted = false;
    delete this.retried;
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

/** Adds the sockets of one reply datagram to the columns. */
export function wideDatagram(dgram: ByteReader, status: DumpStatus, c: WideColumns): void {
  walkDatagram(dgram, LITTLE_ENDIAN, status, (r, off, len) => {
    const code = stateCodeOf(r, off, len, status);
    if (code === 0) return;
    if (c.n === c.state.length) c.grow();
    const i = c.n++;
    // stateCodeOf saw the whole fixed message: its bytes are read straight from the datagram.
    const at = r.need(off, DIAG_MSG.SIZE);
    const b = r.bytes;
    const v = r.view;
    const id = at + DIAG_MSG.id;
    const family = b[at + DIAG_MSG.family] === 10 ? 6 : 4;
    c.state[i] = code;
    c.family[i] = family;
    // Ports big-endian on the wire.
    c.lport[i] = (b[id + SOCKID.sport]! << 8) | b[id + SOCKID.sport + 1]!;
    c.rport[i] = (b[id + SOCKID.dport]! << 8) | b[id + SOCKID.dport + 1]!;
    const la = c.laddr;
    const ra = c.raddr;
    const o = i * 16;
    for (let k = 0; k < 16; k++) {
      la[o + k] = b[id + SOCKID.src + k]!;
      ra[o + k] = b[id + SOCKID.dst + k]!;
    }
    c.recvQ[i] = v.getUint32(at + DIAG_MSG.rqueue, LITTLE_ENDIAN);
    c.sendQ[i] = v.getUint32(at + DIAG_MSG.wqueue, LITTLE_ENDIAN);
    c.inode[i] = v.getUint32(at + DIAG_MSG.inode, LITTLE_ENDIAN);
    for (let k = 0; k < 9; k++) words[k] = v.getUint32(id + k * 4, LITTLE_ENDIAN);
    c.key[i] = tupleKey(family, words);
  });
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
