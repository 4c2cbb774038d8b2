/**
 * The TCP table as columns, for readers that only count (the recorder between its owner lookups):
 * per socket its state, family, local port and inode in typed arrays, no object or string made per
 * socket. Read like `count`'s fast path (datagram by datagram on this thread) and taken again once
 * when the kernel flags the dump as interrupted; a socket listed twice by a table that changed under
 * the dump is kept once (by inode, or for a socket without one by a 53-bit hash of its 4-tuple).
 */
import type { ByteReader } from '../../net/byte-reader.js';
import { KeyIndex } from '../../net/key-index.js';
import { UintSet } from '../../net/uint-set.js';
import { type DumpOptions, forEachDump, LITTLE_ENDIAN, retryInterrupted, runDump } from './dump.js';
import { stateCodeOf } from './parse.js';
import type { DiagSocket } from './socket.js';
import { type DumpStatus, walkDatagram } from './walk.js';
import { DIAG_MSG, SOCKID } from './wire.js';

export interface LeanTable {
  n: number;
  /** The kernel's state code, 1 to 11 (a request socket's 12 counted as SYN_RECV, 3). */
  state: Uint8Array;
  family: Uint8Array;
  /** The local port. */
  port: Uint16Array;
  /** 0 for a socket no file holds (timewait, request and orphaned sockets). */
  inode: Uint32Array;
  malformed: number;
  firstError?: string;
  interrupted: boolean;
  retried?: true;
}

/** Columns that grow by doubling, fed datagram by datagram. */
export class LeanColumns {
  n = 0;
  state = new Uint8Array(1024);
  family = new Uint8Array(1024);
  port = new Uint16Array(1024);
  inode = new Uint32Array(1024);
  /** For sockets without an inode, the hash of their 4-tuple (0 for the others). */
  key = new Float64Array(1024);
  grow(): void {
    const size = this.state.length * 2;
    this.state = grown(this.state, new Uint8Array(size));
    this.family = grown(this.family, new Uint8Array(size));
    this.port = grown(this.port, new Uint16Array(size));
    this.inode = grown(this.inode, new Uint32Array(size));
    this.key = grown(this.key, new Float64Array(size));
  }
}

/** `b` (a larger column) holding what `a` held. */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, b: T): T {
  b.set(a);
  return b;
}

/** Two FNV-1a hashes of the 4-tuple (ports and addresses, 36 bytes) folded into 53 bits. */
function tupleHash(r: ByteReader, at: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < SOCKID.if; i++) {
    const byte = r.u8At(at + i);
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff) + 1;
}

/** Adds the sockets of one reply datagram to the columns. */
export function leanDatagram(dgram: ByteReader, status: DumpStatus, c: LeanColumns): void {
  walkDatagram(dgram, LITTLE_ENDIAN, status, (r, off, len) => {
    const code = stateCodeOf(r, off, len, status);
    if (code === 0) return;
    if (c.n === c.state.length) c.grow();
    const i = c.n++;
    const id = off + DIAG_MSG.id;
    c.state[i] = code;
    c.family[i] = r.u8At(off + DIAG_MSG.family) === 10 ? 6 : 4;
    // Big-endian on the wire.
    c.port[i] = (r.u8At(id + SOCKID.sport) << 8) | r.u8At(id + SOCKID.sport + 1);
    const inode = r.u32At(off + DIAG_MSG.inode, LITTLE_ENDIAN);
    c.inode[i] = inode;
    c.key[i] = inode === 0 ? tupleHash(r, id) : 0;
  });
}

/**
 * Keeps each of `n` sockets once (a table that changed under the dump can list one twice): by
 * inode, or by its tuple's hash when it has none. `move(from, to)` compacts the columns; returns
 * how many are left.
 */
export function keepOnce(
  n: number,
  inode: Uint32Array,
  key: Float64Array,
  move: (from: number, to: number) => void,
): number {
  const seenInodes = new UintSet(n);
  const seenKeys = new KeyIndex(1024);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const ino = inode[i]!;
    if (!(ino !== 0 ? seenInodes.add(ino) : seenKeys.add(key[i]!, i))) continue;
    if (w !== i) move(i, w);
    w++;
  }
  return w;
}

function dedupe(c: LeanColumns): number {
  return keepOnce(c.n, c.inode, c.key, (i, w) => {
    c.state[w] = c.state[i]!;
    c.family[w] = c.family[i]!;
    c.port[w] = c.port[i]!;
    c.inode[w] = c.inode[i]!;
  });
}

/** Dumps the table without extensions (both families unless `opts.families` says otherwise), datagram by datagram. */
export function dumpPlain(
  sock: DiagSocket,
  opts: DumpOptions,
  feed: (dgram: ByteReader, status: DumpStatus) => void,
): Promise<DumpStatus[]> {
  const plain = { ...opts, info: false, memory: false, plainRecv: true };
  return forEachDump(opts.families, (family, status) =>
    runDump(sock, family, plain, status, (d) => feed(d, status)),
  );
}

/** What the dumps' statuses say, added into `out`. */
export function foldStatuses(
  out: { malformed: number; firstError?: string | undefined; interrupted: boolean },
  statuses: readonly DumpStatus[],
): void {
  for (const st of statuses) {
    out.malformed += st.malformed;
    if (out.firstError === undefined && st.firstError !== undefined) out.firstError = st.firstError;
    if (st.interrupted) out.interrupted = true;
  }
}

/** The table as columns (both families unless `opts.families` says otherwise). */
export function leanTcp(sock: DiagSocket, opts: DumpOptions): Promise<LeanTable> {
  return retryInterrupted(async () => {
    const c = new LeanColumns();
    const statuses = await dumpPlain(sock, opts, (d, status) => leanDatagram(d, status, c));
    return leanTable(c, statuses);
  });
}

/** The columns as a table, each socket once, with what the dumps' statuses say. */
export function leanTable(c: LeanColumns, statuses: readonly DumpStatus[]): LeanTable {
  const out: LeanTable = {
    n: dedupe(c),
    state: c.state,
    family: c.family,
    port: c.port,
    inode: c.inode,
    malformed: 0,
    interrupted: false,
  };
  foldStatuses(out, statuses);
  return out;
}
