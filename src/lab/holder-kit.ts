/**
 * The holder's tools (holder.ts, holder-situations.ts): listeners, clients, accepted pairs, the
 * shapes of what was made, and bounded waits on what the holder owns (TCP_INFO's state, the
 * listener's accept queue). Every wait ends with a one-line error after WAIT_MS.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { endpointOf } from '../net/endpoint.js';
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import * as raw from './rawsock.js';
import { type HeldRole, type HeldSocket, loopback } from './scenario.js';
import type { Family } from './sockaddr.js';

const STEP_MS = 5;
const WAIT_MS = 3000;

/** A connected pair on loopback: the client's and the accepted server's fds and endpoints. */
export interface Pair {
  c: number;
  s: number;
  client: Endpoint;
  server: Endpoint;
}

/** A non-blocking listener on the family's loopback (or its wildcard address) and `port`. */
export function listener(
  family: Family,
  port: number,
  backlog: number,
  opts: { reuseaddr?: boolean; wildcard?: boolean } = {},
): number {
  const fd = raw.socket(family, { nonBlocking: true });
  if (opts.reuseaddr) raw.setReuseAddr(fd, true);
  raw.bind(fd, family, opts.wildcard ? wildcard(family) : loopback(family), port);
  raw.listen(fd, backlog);
  return fd;
}

/** Where a client connects from and to, and its receive buffer. */
export interface DialOptions {
  /** The source address to bind (any port, or `fromPort`). */
  from?: string;
  fromPort?: number;
  /** The address to connect to: the family's loopback by default. */
  to?: string;
  /** SO_RCVBUF before the SYN, so the window it offers stays small. */
  rcvbuf?: number;
}

/** A non-blocking connect to `port`: the SYN is out when this returns. */
export function dial(family: Family, port: number, opts: DialOptions = {}): number {
  const fd = raw.socket(family, { nonBlocking: true });
  if (opts.rcvbuf !== undefined) raw.setRcvBuf(fd, opts.rcvbuf);
  if (opts.from) raw.bind(fd, family, opts.from, opts.fromPort ?? 0);
  raw.connect(fd, family, opts.to ?? loopback(family), port);
  return fd;
}

/** Accepts one connection within WAIT_MS. */
export async function acceptOne(l: number, port: number): Promise<number> {
  const a = await until(`accept on ${port}`, () => raw.accept(l, { nonBlocking: true }));
  return a.fd;
}

/** Connects a client to listener `l` on `port` and accepts it. */
export async function connectPair(
  l: number,
  family: Family,
  port: number,
  opts: DialOptions = {},
): Promise<Pair> {
  const c = dial(family, port, opts);
  await waitState(c, 'ESTABLISHED');
  const s = await acceptOne(l, port);
  return { c, s, client: raw.getsockname(c), server: raw.getsockname(s) };
}

/**
 * Connects one IPv4 client from each source address to listener `l` (whose backlog must hold them
 * all), waits until all are established, accepts them all and pairs each client with its child.
 */
export async function connectMany(
  l: number,
  port: number,
  froms: readonly string[],
  opts: Omit<DialOptions, 'from'> = {},
): Promise<Pair[]> {
  const cs = froms.map((from) => dial(4, port, { ...opts, from }));
  await waitStates(cs, 'ESTABLISHED');
  const byPeer = new Map<string, number>();
  for (let i = 0; i < cs.length; i++) {
    const s = await acceptOne(l, port);
    byPeer.set(endKey(raw.getpeername(s)), s);
  }
  return cs.map((c) => {
    const client = raw.getsockname(c);
    const s = byPeer.get(endKey(client));
    if (s === undefined) throw new Error(`holder: no accepted child for ${endKey(client)}`);
    return { c, s, client, server: raw.getsockname(s) };
  });
}

function endKey(e: Endpoint): string {
  return endpointOf(e);
}

/** Connects a client to a fresh listener, accepts, and closes the listener (the pair stays). */
export async function pair({ family, port }: { family: Family; port: number }): Promise<Pair> {
  const l = listener(family, port, 8);
  const p = await connectPair(l, family, port);
  raw.close(l);
  return p;
}

/**
 * Closes a socket that has seen its peer's FIN (CLOSE_WAIT) as a program does: read() to the end of
 * stream, then close(). (Unread data would turn the FIN into an RST.)
 */
export function closeAfterEof(fd: number): void {
  for (let i = 0; i < 64 && (raw.recv(fd, 65536)?.length ?? 0) > 0; i++);
  raw.close(fd);
}

/** The listener as a held socket. */
export function listenerSocket(family: Family, port: number, fd: number, wild = false): HeldSocket {
  const any = { address: wildcard(family), port: 0 };
  return owned('listener', 'LISTEN', fd, { address: wild ? any.address : loopback(family), port }, any);
}

/** A socket the holder keeps, by fd. */
export function owned(
  role: HeldRole,
  state: TcpState,
  fd: number,
  local: Endpoint,
  remote: Endpoint,
): HeldSocket {
  return { role, state, local: bare(local), remote: bare(remote), fd, owned: true };
}

/** A socket nobody holds: an orphan, a TIME_WAIT, a request, a queued child. */
export function unowned(role: HeldRole, state: TcpState, local: Endpoint, remote: Endpoint): HeldSocket {
  return { role, state, local: bare(local), remote: bare(remote), fd: null, owned: false };
}

/** Drops the `family` key getsockname adds. */
function bare(e: Endpoint): Endpoint {
  return { address: e.address, port: e.port };
}

function wildcard(family: Family): string {
  return family === 4 ? '0.0.0.0' : '::';
}

/** Waits until the kernel has the socket of `fd` in `state`. */
export function waitState(fd: number, state: TcpState): Promise<true> {
  return until(`fd ${fd} in ${state}`, () => raw.tcpState(fd) === state || undefined);
}

/** Waits until every fd is in `state` (one deadline for all). */
/**
 * Once every fd has the peer's FIN (CLOSE_WAIT), reads each to its end and closes it, so the close
 * sends a FIN rather than an RST.
 */
export async function closeWhenPeerCloses(fds: readonly number[]): Promise<void> {
  await waitStates(fds, 'CLOSE_WAIT');
  for (const fd of fds) closeAfterEof(fd);
}

export function waitStates(fds: readonly number[], state: TcpState): Promise<true> {
  return until(
    `${fds.length} sockets in ${state}`,
    () => fds.every((fd) => raw.tcpState(fd) === state) || undefined,
  );
}

/** Polls `probe` every few ms until it gives a value; throws after WAIT_MS. */
export async function until<T>(what: string, probe: () => T | undefined, waitMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`holder: timed out after ${waitMs} ms waiting for ${what}`);
    await sleep(STEP_MS);
  }
}
