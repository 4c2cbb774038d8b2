/**
 * A NETLINK_SOCK_DIAG socket through koffi: socket, send, recv, close on libc, nothing more.
 * koffi is imported on first use only (`loadNetlink`), so commands that never dump do not pay for it.
 * The socket belongs to the network namespace the thread is in when it is opened: open it inside
 * `inNetns` to read another namespace; it can be used from anywhere afterwards.
 * Why koffi rather than an N-API addon: see ARCHITECTURE.md.
 */
import { EnvironmentError, PermissionError } from '../../errors.js';
import { AF_NETLINK, NETLINK_SOCK_DIAG } from './wire.js';

const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const EINTR = 4;
const EAGAIN = 11;
const EPERM = 1;
const EACCES = 13;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  send: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  recv: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  close: (fd: number) => number;
  errno: () => number;
}

let libc: Libc | undefined;
let loadError: Error | undefined;

/** Loads koffi and binds libc's calls; throws an EnvironmentError when that is impossible. */
export async function loadNetlink(): Promise<void> {
  if (libc) return;
  if (loadError) throw loadError;
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int, int, int)') as Libc['socket'],
      send: lib.func('long send(int, const void *, size_t, int)') as Libc['send'],
      recv: lib.func('long recv(int, _Out_ void *, size_t, int)') as Libc['recv'],
      close: lib.func('int close(int)') as Libc['close'],
      errno: () => koffi.errno(),
    };
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

/** An open sock_diag socket. */
export class DiagSocket {
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

  /**
   * Receives one datagram into `buf` (blocking), returns its length. The kernel fills at most 32 KiB
   * per datagram during a dump (net/netlink/af_netlink.c netlink_dump), and sizes its next one after
   * the buffer we offer: offer at least that.
   */
  recv(buf: Uint8Array): number {
    const c = bound();
    for (;;) {
      const n = c.recv(this.fd, buf, buf.length, 0);
      if (n >= 0) return n;
      const errno = c.errno();
      if (errno !== EINTR && errno !== EAGAIN) throw errnoError('netlink: recv', errno);
    }
  }

  close(): void {
    bound().close(this.fd);
  }
}
