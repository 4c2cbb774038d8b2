/**
 * A listener that never accepts, made with raw system calls through koffi: Node's `net` accepts every
 * connection at once, so it can never overflow an accept queue. Create it inside a namespace with
 * `inNetns` (the socket stays in the namespace it was made in).
 */
import koffi from 'koffi';

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  listen(fd: number, backlog: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (!libc) {
    const lib = koffi.load('libc.so.6');
    libc = {
      socket: lib.func('int socket(int domain, int type, int protocol)'),
      bind: lib.func('int bind(int fd, const uint8_t *addr, uint32_t len)'),
      listen: lib.func('int listen(int fd, int backlog)'),
      close: lib.func('int close(int fd)'),
    } as Libc;
  }
  return libc;
}

const AF_INET = 2;
const SOCK_STREAM = 1;

/** socket + bind 127.0.0.1:port + listen(backlog); returns the fd. Never accepts. */
export function rawListen(port: number, backlog: number): number {
  const c = load();
  const fd = c.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error('socket() failed');
  // struct sockaddr_in: family (host order), port (network order), address, zero padding.
  const sa = new Uint8Array(16);
  const dv = new DataView(sa.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  sa.set([127, 0, 0, 1], 4);
  if (c.bind(fd, sa, sa.length) !== 0 || c.listen(fd, backlog) !== 0) {
    c.close(fd);
    throw new Error(`bind/listen on 127.0.0.1:${port} failed`);
  }
  return fd;
}

/** Closes a raw fd. */
export function rawClose(fd: number): void {
  load().close(fd);
}
