/**
 * Raw TCP socket system calls through koffi (libc), for the states Node's `net` cannot make: libuv
 * sets SO_REUSEADDR on every listener and accepts connections at once, and cannot half-close and
 * hold, nor connect without waiting. Every call returns or throws a `SyscallError` with one line:
 * `connect(127.0.0.1:30001): ECONNREFUSED (Connection refused)`. Sockets are created close-on-exec.
 * libc is loaded on first use, so importing this file costs nothing.
 * @see man 2 socket, man 7 tcp, man 7 socket
 */

import koffi, { type LibraryHandle } from 'koffi';
import { EnvironmentError } from '../errors.js';
import { formatEndpoint } from '../net/endpoint.js';
import type { Endpoint } from '../tcp/socket.js';
import { stateFromCode, type TcpState } from '../tcp/states.js';
import { afOf, decodeSockaddr, encodeSockaddr, type Family, SOCKADDR_MAX } from './sockaddr.js';

// <bits/socket_type.h>, <asm-generic/socket.h>, <netinet/tcp.h>, <asm-generic/fcntl.h> (x86-64, arm64)
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_ERROR = 4;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_LINGER = 13;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const TCP_INFO = 11;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const SHUT: Record<ShutdownHow, number> = { read: 0, write: 1, both: 2 };

/** Which direction `shutdown` closes: SHUT_RD, SHUT_WR, SHUT_RDWR. */
export type ShutdownHow = 'read' | 'write' | 'both';

/** A failed system call, as one line; `errnoName` (`EAGAIN`, `EINPROGRESS`...) lets callers branch. */
export class SyscallError extends EnvironmentError {
  constructor(
    readonly syscall: string,
    readonly errnoName: string,
    detail: string,
  ) {
    super(`${syscall}: ${errnoName} (${detail})`);
  }
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number[]): number;
  bind(fd: number, addr: Uint8Array, len: number): number;
  listen(fd: number, backlog: number): number;
  connect(fd: number, addr: Uint8Array, len: number): number;
  accept4(fd: number, addr: Uint8Array, len: number[], flags: number): number;
  shutdown(fd: number, how: number): number;
  send(fd: number, data: Uint8Array, len: number, flags: number): number;
  recv(fd: number, data: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
  getsockname(fd: number, addr: Uint8Array, len: number[]): number;
  getpeername(fd: number, addr: Uint8Array, len: number[]): number;
  fcntl(fd: number, cmd: number, ...rest: unknown[]): number;
  strerror(errno: number): string;
}

let libc: Libc | undefined;
let errnoNames: Map<number, string> | undefined;

function lib(): Libc {
  if (libc) return libc;
  let handle: LibraryHandle;
  try {
    handle = koffi.load('libc.so.6');
  } catch (e) {
    throw new EnvironmentError(`rawsock: cannot load libc.so.6 (${(e as Error).message})`, { cause: e });
  }
  const f = (decl: string) => handle.func(decl);
  libc = {
    socket: f('int socket(int, int, int)'),
    setsockopt: f('int setsockopt(int, int, int, const void *, uint32_t)'),
    getsockopt: f('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)'),
    bind: f('int bind(int, const void *, uint32_t)'),
    listen: f('int listen(int, int)'),
    connect: f('int connect(int, const void *, uint32_t)'),
    accept4: f('int accept4(int, _Out_ void *, _Inout_ uint32_t *, int)'),
    shutdown: f('int shutdown(int, int)'),
    send: f('intptr_t send(int, const void *, uintptr_t, int)'),
    recv: f('intptr_t recv(int, _Out_ void *, uintptr_t, int)'),
    close: f('int close(int)'),
    getsockname: f('int getsockname(int, _Out_ void *, _Inout_ uint32_t *)'),
    getpeername: f('int getpeername(int, _Out_ void *, _Inout_ uint32_t *)'),
    fcntl: f('int fcntl(int, int, ...)'),
    strerror: f('const char *strerror(int)'),
  } as Libc;
  return libc;
}

/** The symbolic name of an errno value (`ECONNREFUSED`). */
function errnoName(n: number): string {
  // EWOULDBLOCK and EAGAIN share a number: say EAGAIN, as the man pages do.
  if (n === koffi.os.errno['EAGAIN']) return 'EAGAIN';
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, value] of Object.entries(koffi.os.errno)) {
      if (!errnoNames.has(value)) errnoNames.set(value, name);
    }
  }
  return errnoNames.get(n) ?? `errno ${n}`;
}

/** Throws the errno of the call that just returned -1, named and explained. */
function fail(syscall: string): never {
  const n = koffi.errno();
  throw new SyscallError(syscall, errnoName(n), lib().strerror(n));
}

function check(result: number, syscall: string): number {
  if (result < 0) fail(syscall);
  return result;
}

/** `[::]:80` rather than ss's `*:80`: a bind or connect names the address it was given. */
const where = (address: string, port: number) => formatEndpoint(address, port, { v6only: true });

/** socket(AF_INET or AF_INET6, SOCK_STREAM, TCP), close-on-exec, optionally non-blocking. */
export function socket(family: Family, opts: { nonBlocking?: boolean } = {}): number {
  const type = SOCK_STREAM | SOCK_CLOEXEC | (opts.nonBlocking ? SOCK_NONBLOCK : 0);
  return check(
    lib().socket(afOf(family), type, IPPROTO_TCP),
    `socket(${family === 4 ? 'AF_INET' : 'AF_INET6'})`,
  );
}

function setInt(fd: number, level: number, name: number, value: number, what: string): void {
  const buf = new Uint8Array(4);
  new DataView(buf.buffer).setInt32(0, value, true);
  check(lib().setsockopt(fd, level, name, buf, 4), `setsockopt(${fd}, ${what})`);
}

/** SO_REUSEADDR: bind a port whose old connections still sit in TIME_WAIT. */
export function setReuseAddr(fd: number, on: boolean): void {
  setInt(fd, SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0, 'SO_REUSEADDR');
}

/** SO_LINGER: with `seconds` 0, close() sends RST and skips TIME_WAIT (struct linger: two ints). */
export function setLinger(fd: number, on: boolean, seconds: number): void {
  const buf = new Uint8Array(8);
  const view = new DataView(buf.buffer);
  view.setInt32(0, on ? 1 : 0, true);
  view.setInt32(4, seconds, true);
  check(lib().setsockopt(fd, SOL_SOCKET, SO_LINGER, buf, 8), `setsockopt(${fd}, SO_LINGER)`);
}

/** TCP_NODELAY: send small segments at once (no Nagle). */
export function setNoDelay(fd: number, on: boolean): void {
  setInt(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, 'TCP_NODELAY');
}

/** SO_RCVBUF: a small receive buffer closes the window early (the kernel doubles the value). */
export function setRcvBuf(fd: number, bytes: number): void {
  setInt(fd, SOL_SOCKET, SO_RCVBUF, bytes, 'SO_RCVBUF');
}

/** SO_SNDBUF: a small send buffer bounds what a writer queues (the kernel doubles the value). */
export function setSndBuf(fd: number, bytes: number): void {
  setInt(fd, SOL_SOCKET, SO_SNDBUF, bytes, 'SO_SNDBUF');
}

/** fcntl(F_SETFL, O_NONBLOCK) on or off. */
export function setNonBlocking(fd: number, on: boolean): void {
  const l = lib();
  const flags = check(l.fcntl(fd, F_GETFL), `fcntl(${fd}, F_GETFL)`);
  const next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  check(l.fcntl(fd, F_SETFL, 'int', next), `fcntl(${fd}, F_SETFL)`);
}

/** bind() to an address and port (port 0: the kernel picks one from ip_local_port_range). */
export function bind(fd: number, family: Family, address: string, port: number): void {
  const sa = encodeSockaddr(family, address, port);
  check(lib().bind(fd, sa, sa.length), `bind(${where(address, port)})`);
}

/** listen() with a backlog: Linux admits backlog + 1 children to the accept queue. */
export function listen(fd: number, backlog: number): void {
  check(lib().listen(fd, backlog), `listen(${fd}, ${backlog})`);
}

/**
 * connect(). On a non-blocking socket the SYN leaves and the call returns `in-progress` (EINPROGRESS):
 * the socket sits in SYN_SENT until the handshake ends.
 */
export function connect(
  fd: number,
  family: Family,
  address: string,
  port: number,
): 'connected' | 'in-progress' {
  const sa = encodeSockaddr(family, address, port);
  if (lib().connect(fd, sa, sa.length) === 0) return 'connected';
  try {
    fail(`connect(${where(address, port)})`);
  } catch (e) {
    if (e instanceof SyscallError && e.errnoName === 'EINPROGRESS') return 'in-progress';
    throw e;
  }
}

/** accept4(): the child's fd (close-on-exec, non-blocking if asked) and peer, or undefined on EAGAIN. */
export function accept(
  fd: number,
  opts: { nonBlocking?: boolean } = {},
): { fd: number; remote: Endpoint & { family: Family } } | undefined {
  const sa = new Uint8Array(SOCKADDR_MAX);
  const len = [SOCKADDR_MAX];
  const child = lib().accept4(fd, sa, len, SOCK_CLOEXEC | (opts.nonBlocking ? SOCK_NONBLOCK : 0));
  if (child < 0) {
    if (koffi.errno() === koffi.os.errno['EAGAIN']) return undefined;
    fail(`accept(${fd})`);
  }
  return { fd: child, remote: decodeSockaddr(sa.subarray(0, len[0])) };
}

/** shutdown(): `write` sends our FIN and keeps the socket open for reading (a half-close). */
export function shutdown(fd: number, how: ShutdownHow): void {
  check(lib().shutdown(fd, SHUT[how]), `shutdown(${fd}, ${how})`);
}

/** send(): bytes queued, or 0 when a non-blocking socket's buffer is full (EAGAIN). */
export function send(fd: number, data: Uint8Array): number {
  const n = lib().send(fd, data, data.length, 0);
  if (n < 0) {
    if (koffi.errno() === koffi.os.errno['EAGAIN']) return 0;
    fail(`send(${fd})`);
  }
  return n;
}

/** recv(): the bytes read (empty at end of stream), or undefined when nothing waits (EAGAIN). */
export function recv(fd: number, max: number): Uint8Array | undefined {
  const buf = new Uint8Array(max);
  const n = lib().recv(fd, buf, max, 0);
  if (n < 0) {
    if (koffi.errno() === koffi.os.errno['EAGAIN']) return undefined;
    fail(`recv(${fd})`);
  }
  return buf.subarray(0, n);
}

/** close(): the last close of a connected socket sends FIN (or RST with unread data or SO_LINGER 0). */
export function close(fd: number): void {
  check(lib().close(fd), `close(${fd})`);
}

/** getsockname(): the local address and port (the ephemeral port a connect chose). */
export function getsockname(fd: number): Endpoint & { family: Family } {
  const sa = new Uint8Array(SOCKADDR_MAX);
  const len = [SOCKADDR_MAX];
  check(lib().getsockname(fd, sa, len), `getsockname(${fd})`);
  return decodeSockaddr(sa.subarray(0, len[0]));
}

/** getpeername(): the remote address and port of a connected socket. */
export function getpeername(fd: number): Endpoint & { family: Family } {
  const sa = new Uint8Array(SOCKADDR_MAX);
  const len = [SOCKADDR_MAX];
  check(lib().getpeername(fd, sa, len), `getpeername(${fd})`);
  return decodeSockaddr(sa.subarray(0, len[0]));
}

/** SO_ERROR: the pending error of a non-blocking connect (`ECONNREFUSED`...), or undefined. */
export function socketError(fd: number): string | undefined {
  const buf = new Uint8Array(4);
  check(lib().getsockopt(fd, SOL_SOCKET, SO_ERROR, buf, [4]), `getsockopt(${fd}, SO_ERROR)`);
  const n = new DataView(buf.buffer).getInt32(0, true);
  if (n === 0) return undefined;
  return `${errnoName(n)} (${lib().strerror(n)})`;
}

function tcpInfo(fd: number): DataView {
  // struct tcp_info (include/uapi/linux/tcp.h); the kernel fills what fits and says how much.
  const buf = new Uint8Array(256);
  check(lib().getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, [buf.length]), `getsockopt(${fd}, TCP_INFO)`);
  return new DataView(buf.buffer);
}

/** The state the kernel has the socket in, from TCP_INFO's first byte (`tcpi_state`). */
export function tcpState(fd: number): TcpState {
  // tcpi_state 7 is CLOSE; 12 (NEW_SYN_RECV) never belongs to a full socket.
  return stateFromCode(tcpInfo(fd).getUint8(0)) ?? 'CLOSE';
}

/**
 * A listener's accept queue: children waiting for accept() and the backlog limit. For LISTEN
 * sockets tcp_get_info() puts sk_ack_backlog in tcpi_unacked and sk_max_ack_backlog in tcpi_sacked.
 */
export function listenQueue(fd: number): { queued: number; max: number } {
  const info = tcpInfo(fd);
  // Offsets: 8 bytes of u8 fields and bit fields, then rto, ato, snd_mss, rcv_mss, unacked, sacked.
  return { queued: info.getUint32(24, true), max: info.getUint32(28, true) };
}
