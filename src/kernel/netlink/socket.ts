/**
 * A NETLINK_SOCK_DIAG socket through koffi: socket, send, recv(mmsg), close on libc, nothing more.
 * koffi is imported on first use only (`loadNetlink`), so commands that never dump do not pay for it.
 * The socket belongs to the network namespace the thread is in when it is opened: open it inside
 * `inNetns` to read another namespace; it can be used from anywhere afterwards.
 * Why koffi rather than an N-API addon: see ARCHITECTURE.md.
 *
 * Reading a dump: the kernel fills the next datagram (at most 32 KiB, net/netlink/af_netlink.c
 * netlink_dump) inside the recvmsg that takes the previous one, so most of a dump's cost is spent in
 * recv. `batches()` therefore calls recvmmsg(2) on one of koffi's worker threads, up to 16 datagrams
 * a call into one of two native rings, and hands over the last batch while the next is being
 * fetched: the kernel's work for the next batch overlaps our parsing of this one.
 */
import { arch } from 'node:os';
import { EnvironmentError, PermissionError } from '../../errors.js';
import { ByteReader } from '../../net/byte-reader.js';
import { loadKoffi } from '../ffi.js';
import { AF_NETLINK, NETLINK_SOCK_DIAG } from './wire.js';

const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
const EPERM = 1;
const EACCES = 13;

/** The largest datagram of a dump, and the recv buffer that lets the kernel use it. */
export const DATAGRAM_MAX = 32 * 1024;
const SLOTS = 16;
/** struct mmsghdr (LP64): msghdr of 56 bytes (msg_iov at 16, msg_iovlen at 24), then msg_len. */
const MMSGHDR = { SIZE: 64, iov: 16, iovlen: 24, len: 56 } as const;
/** struct iovec (LP64): base, len. */
const IOVEC_SIZE = 16;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  send: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  recv: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  close: (fd: number) => number;
  errno: () => number;
  recvmmsgAsync?: (fd: number, vec: unknown, vlen: number, flags: number, cb: (n: number) => void) => void;
  alloc: (bytes: number) => { ptr: unknown; base: bigint; buf: ArrayBuffer; free(): void };
}

let libc: Libc | undefined;
let loadError: Error | undefined;

/** Loads koffi and binds libc's calls; throws an EnvironmentError when that is impossible. */
export async function loadNetlink(): Promise<void> {
  if (libc) return;
  if (loadError) throw loadError;
  try {
    const koffi = await loadKoffi();
    const lib = koffi.load('libc.so.6');
    const recvmmsg = lib.func('int recvmmsg(int, void *, unsigned int, int, void *)');
    libc = {
      socket: lib.func('int socket(int, int, int)') as Libc['socket'],
      send: lib.func('long send(int, const void *, size_t, int)') as Libc['send'],
      recv: lib.func('long recv(int, _Out_ void *, size_t, int)') as Libc['recv'],
      close: lib.func('int close(int)') as Libc['close'],
      errno: () => koffi.errno(),
      alloc: (bytes) => {
        const ptr = koffi.alloc('uint8_t', bytes);
        return { ptr, base: koffi.address(ptr), buf: koffi.view(ptr, bytes), free: () => koffi.free(ptr) };
      },
    };
    // The rings hold raw pointers laid out for 64-bit Linux; elsewhere plain recv(2) does.
    if (arch() === 'x64' || arch() === 'arm64') {
      libc.recvmmsgAsync = (fd, vec, vlen, flags, cb) =>
        recvmmsg.async(fd, vec, vlen, flags, null, (_err: unknown, n: number) => cb(n));
    }
  } catch (e) {
    loadError = new EnvironmentError(`netlink: cannot load koffi (${(e as Error).message})`, { cause: e });
    throw loadError;
  }
}

function bound(): Libc {
  if (!libc) throw new EnvironmentError('netlink: loadNetlink() was not awaited');
  return libc;
}

/** An errno as a one-line error for users. */
export function errnoError(what: string, errno: number): EnvironmentError | PermissionError {
  if (errno === EPERM || errno === EACCES) {
    return new PermissionError(`${what}: permission denied (errno ${errno}; needs root or CAP_NET_ADMIN)`);
  }
  return new EnvironmentError(`${what}: errno ${errno}`);
}

/** Native memory for SLOTS datagrams with the mmsghdr and iovec arrays that point into it. */
class Ring {
  readonly reader: ByteReader;
  private readonly view: DataView;
  private readonly mem: ReturnType<Libc['alloc']>;
  private static readonly DATA = SLOTS * (MMSGHDR.SIZE + IOVEC_SIZE);

  constructor(c: Libc) {
    this.mem = c.alloc(Ring.DATA + SLOTS * DATAGRAM_MAX);
    this.view = new DataView(this.mem.buf);
    this.reader = new ByteReader(new Uint8Array(this.mem.buf), 0, this.mem.buf.byteLength, this.view);
    const iov0 = SLOTS * MMSGHDR.SIZE;
    for (let i = 0; i < SLOTS; i++) {
      const iov = iov0 + i * IOVEC_SIZE;
      this.view.setBigUint64(iov, this.mem.base + BigInt(Ring.DATA + i * DATAGRAM_MAX), true);
      this.view.setBigUint64(iov + 8, BigInt(DATAGRAM_MAX), true);
      this.view.setBigUint64(i * MMSGHDR.SIZE + MMSGHDR.iov, this.mem.base + BigInt(iov), true);
      this.view.setBigUint64(i * MMSGHDR.SIZE + MMSGHDR.iovlen, 1n, true);
    }
  }

  get ptr(): unknown {
    return this.mem.ptr;
  }

  /** The first `n` datagrams received, as windows over the ring (valid until the ring is reused). */
  datagrams(n: number): ByteReader[] {
    const out: ByteReader[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        this.reader.window(
          Ring.DATA + i * DATAGRAM_MAX,
          this.view.getUint32(i * MMSGHDR.SIZE + MMSGHDR.len, true),
        ),
      );
    }
    return out;
  }

  free(): void {
    this.mem.free();
  }
}

/** An open sock_diag socket. */
export class DiagSocket {
  private rings: [Ring, Ring] | undefined;
  private buf: Uint8Array | undefined;

  private constructor(readonly fd: number) {}

  /** Opens a socket in the current thread's network namespace (synchronous: fits inside `inNetns`). */
  static open(): DiagSocket {
    const c = bound();
    const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) throw errnoError('netlink: socket(AF_NETLINK, NETLINK_SOCK_DIAG)', c.errno());
    return new DiagSocket(fd);
  }

  /** Sends one request whole. */
  send(bytes: Uint8Array): void {
    const c = bound();
    for (;;) {
      const n = c.send(this.fd, bytes, bytes.length, 0);
      if (n === bytes.length) return;
      const errno = n < 0 ? c.errno() : 0;
      if (errno !== EINTR) throw errnoError('netlink: send', errno);
    }
  }

  /** Receives one datagram (blocking) into a buffer of this socket; empty at end of stream. */
  recvOne(): ByteReader {
    const c = bound();
    this.buf ??= new Uint8Array(DATAGRAM_MAX * 2);
    for (;;) {
      const n = c.recv(this.fd, this.buf, this.buf.length, 0);
      if (n >= 0) return new ByteReader(this.buf, 0, n);
      const errno = c.errno();
      if (errno !== EINTR) throw errnoError('netlink: recv', errno);
    }
  }

  /**
   * The datagrams of the reply to the last request, in batches, until the caller stops asking
   * (at NLMSG_DONE). A batch is valid until the next one is asked for.
   */
  async *batches(): AsyncGenerator<ByteReader[], void, undefined> {
    const c = bound();
    if (!c.recvmmsgAsync) {
      for (;;) yield [this.recvOne()];
    }
    this.rings ??= [new Ring(c), new Ring(c)];
    const rings = this.rings;
    const fetch = (r: Ring): Promise<number> =>
      new Promise((resolve) => c.recvmmsgAsync!(this.fd, r.ptr, SLOTS, MSG_DONTWAIT, resolve));
    let cur = 0;
    let pending = fetch(rings[0]);
    try {
      for (;;) {
        const n = await pending;
        const ring = rings[cur]!;
        cur ^= 1;
        // The next batch is fetched while this one is used. Past NLMSG_DONE it finds nothing (EAGAIN).
        pending = fetch(rings[cur]!);
        if (n > 0) {
          yield ring.datagrams(n);
          continue;
        }
        // Nothing ready (errno is the worker thread's, not ours to read), yet the caller asks for
        // more, so the dump is not over: wait for it the plain way, which also reports errors.
        await pending;
        pending = Promise.resolve(0);
        yield [this.recvOne()];
      }
    } finally {
      await pending; // never leave a thread reading into a ring we may free
    }
  }

  close(): void {
    bound().close(this.fd);
    if (this.rings) for (const r of this.rings) r.free();
    this.rings = undefined;
  }
}
