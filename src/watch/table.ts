/**
 * The live view's table as columns (what `kernel/netlink/wide.ts` reads), and what the view makes of
 * one row when it shows it: its addresses as text, its process, a socket record for a filter. Pure.
 * The view reads 100,000 sockets a second; it makes texts only for the rows on the screen.
 */
import { tupleKey } from '../kernel/netlink/tuple-key.js';
import { AddressCache } from '../net/address-cache.js';
import { parseIp } from '../net/ip.js';
import type { Attribution, Owner, Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';

/** Columns of `n` sockets (the shape of WideColumns). */
export interface WatchTable {
  readonly n: number;
  /** Kernel state codes, 1 to 11. */
  readonly state: Uint8Array;
  readonly family: Uint8Array;
  readonly lport: Uint16Array;
  readonly rport: Uint16Array;
  /** 16 bytes a socket; IPv4 in the first 4. */
  readonly laddr: Uint8Array;
  readonly raddr: Uint8Array;
  readonly recvQ: Uint32Array;
  readonly sendQ: Uint32Array;
  readonly inode: Uint32Array;
  /** Identity across readings: a hash of family and 4-tuple. */
  readonly key: Float64Array;
}

const CODE = new Map(TCP_STATES.map((s, i) => [s, i + 1]));

/** The state of row `i`. */
export function stateAt(t: WatchTable, i: number): TcpState {
  return TCP_STATES[t.state[i]! - 1]!;
}

/** Socket records as columns (records read with owners, tests). */
export function tableOf(sockets: readonly Socket[]): WatchTable {
  const n = sockets.length;
  const t = {
    n,
    state: new Uint8Array(n),
    family: new Uint8Array(n),
    lport: new Uint16Array(n),
    rport: new Uint16Array(n),
    laddr: new Uint8Array(n * 16),
    raddr: new Uint8Array(n * 16),
    recvQ: new Uint32Array(n),
    sendQ: new Uint32Array(n),
    inode: new Uint32Array(n),
    key: new Float64Array(n),
  };
  const words = new Uint32Array(9);
  const view = new DataView(words.buffer);
  for (let i = 0; i < n; i++) {
    const s = sockets[i]!;
    t.state[i] = CODE.get(s.state)!;
    t.family[i] = s.family;
    t.lport[i] = s.local.port;
    t.rport[i] = s.remote.port;
    put(t.laddr, i, s.local.address, s.family);
    put(t.raddr, i, s.remote.address, s.family);
    t.recvQ[i] = s.recvQ;
    t.sendQ[i] = s.sendQ;
    t.inode[i] = s.inode;
    // The words as the kernel's sockid holds them: ports big-endian, then the addresses.
    view.setUint16(0, s.local.port, false);
    view.setUint16(2, s.remote.port, false);
    const raw = new Uint8Array(words.buffer);
    raw.set(t.laddr.subarray(i * 16, i * 16 + 16), 4);
    raw.set(t.raddr.subarray(i * 16, i * 16 + 16), 20);
    t.key[i] = tupleKey(s.family === 6 ? 6 : 4, words);
  }
  return t;
}

function put(into: Uint8Array, i: number, address: string, family: number): void {
  const b = parseIp(address);
  if (!b) return;
  // parseIp gives IPv4 as a mapped IPv6 address; the kernel puts it in the first 4 bytes.
  if (family === 4 && isMappedBytes(b)) into.set(b.subarray(12, 16), i * 16);
  else into.set(b, i * 16);
}

function isMappedBytes(b: Uint8Array): boolean {
  for (let k = 0; k < 10; k++) if (b[k] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

const addresses = new AddressCache();
/** A view over the last address column asked for (columns are replaced only when they grow). */
let viewOf: { bytes: Uint8Array; view: DataView } | undefined;

/** Row `i`'s local or remote address as the contract writes it. */
export function addressAt(t: WatchTable, i: number, remote: boolean): string {
  const a = remote ? t.raddr : t.laddr;
  if (viewOf?.bytes !== a) viewOf = { bytes: a, view: new DataView(a.buffer, a.byteOffset, a.byteLength) };
  return t.family[i] === 4 ? addresses.v4(viewOf.view, i * 16) : addresses.v6(a, viewOf.view, i * 16);
}

/** The 4 bytes at `o`, big-endian, unsigned. */
function firstWord(a: Uint8Array, o: number): number {
  return ((a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!) >>> 0;
}

/** A number that orders rows by remote address (IPv4 exactly, IPv6 by its first 4 bytes), then port. */
export function peerOrder(t: WatchTable, i: number): number {
  return (t.family[i] === 4 ? 0 : 2 ** 48) + firstWord(t.raddr, i * 16) * 65536 + t.rport[i]!;
}

/** A remote address as a small integer (IPv4 exactly; IPv6 hashed), for counting peers. */
export function peerKey(t: WatchTable, i: number): number {
  const a = t.raddr;
  const o = i * 16;
  if (t.family[i] === 4) return firstWord(a, o) | 0;
  let h = 0x811c9dc5;
  for (let k = 0; k < 16; k++) h = Math.imul(h ^ a[o + k]!, 0x01000193);
  return h ^ 0x40000000;
}

/** A socket record for row `i` (what a filter tests), with its owners and attribution. */
export function socketAt(
  t: WatchTable,
  i: number,
  owners: readonly Owner[] | undefined,
  attribution: Attribution | undefined,
): Socket {
  const s: Socket = {
    state: stateAt(t, i),
    family: t.family[i] === 6 ? 6 : 4,
    local: { address: addressAt(t, i, false), port: t.lport[i]! },
    remote: { address: addressAt(t, i, true), port: t.rport[i]! },
    recvQ: t.recvQ[i]!,
    sendQ: t.sendQ[i]!,
    inode: t.inode[i]!,
    uid: 0,
    owners: owners ? [...owners] : [],
  };
  if (attribution) s.attribution = attribution;
  return s;
}
