/**
 * The holder: runs inside a lab namespace and makes sockets in the states a spec asks for, with raw
 * system calls (rawsock.ts), then keeps them. It waits only on what it owns (TCP_INFO's state, the
 * listener's accept-queue length) and only for bounded times; states of sockets it no longer owns
 * (orphans, TIME_WAIT, requests, queued children) are for the caller to confirm with `ss`.
 * The nft rules a kind needs (scenario.ts) must be in place before the item is made.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';
import * as raw from './rawsock.js';
import {
  DEFAULT_BACKLOG,
  type HeldItem,
  type HeldRole,
  type HeldSocket,
  type HolderSpec,
  type HoldItem,
  loopback,
} from './scenario.js';
import type { Family } from './sockaddr.js';

const STEP_MS = 5;
const WAIT_MS = 3000;

/** Makes every item of the spec in order and returns what it made. */
export async function hold(spec: HolderSpec): Promise<HeldItem[]> {
  const out: HeldItem[] = [];
  for (const item of spec.items) out.push({ ...item, sockets: await MAKERS[item.kind](item) });
  return out;
}

type Maker = (item: HoldItem) => Promise<HeldSocket[]>;

/** A connected pair on loopback: the client's and the accepted server's fds and endpoints. */
interface Pair {
  c: number;
  s: number;
  client: Endpoint;
  server: Endpoint;
}

const MAKERS: Record<HoldItem['kind'], Maker> = {
  listen: async ({ family, port }) => {
    const l = listener(family, port, 8);
    return [listenerSocket(family, port, l)];
  },
  established: async (it) => {
    const p = await pair(it);
    return [
      owned('client', 'ESTABLISHED', p.c, p.client, p.server),
      owned('server', 'ESTABLISHED', p.s, p.server, p.client),
    ];
  },
  'time-wait': async (it) => {
    // The end that closes first waits in TIME_WAIT; the server closes after seeing the FIN (LAST_ACK, then gone).
    const p = await pair(it);
    raw.close(p.c);
    await waitState(p.s, 'CLOSE_WAIT');
    raw.close(p.s);
    return [unowned('client', 'TIME_WAIT', p.client, p.server)];
  },
  'close-wait': async (it) => {
    // shutdown(SHUT_WR) sends the FIN but keeps the client's fd: FIN_WAIT2 owned, no fin_timeout.
    const p = await pair(it);
    raw.shutdown(p.c, 'write');
    await waitState(p.s, 'CLOSE_WAIT');
    await waitState(p.c, 'FIN_WAIT2');
    return [
      owned('client', 'FIN_WAIT2', p.c, p.client, p.server),
      owned('server', 'CLOSE_WAIT', p.s, p.server, p.client),
    ];
  },
  'fin-wait-2': async (it) => {
    // close() orphans the client: a timewait socket holds FIN_WAIT2 for tcp_fin_timeout.
    const p = await pair(it);
    raw.close(p.c);
    await waitState(p.s, 'CLOSE_WAIT');
    return [
      unowned('client', 'FIN_WAIT2', p.client, p.server),
      owned('server', 'CLOSE_WAIT', p.s, p.server, p.client),
    ];
  },
  'syn-sent': async ({ family, port }) => {
    const server = { address: loopback(family), port };
    const c = dial(family, port);
    return [owned('client', 'SYN_SENT', c, raw.getsockname(c), server)];
  },
  'syn-recv': async ({ family, port }) => {
    const l = listener(family, port, 8);
    const c = dial(family, port);
    await waitState(c, 'ESTABLISHED');
    const client = raw.getsockname(c);
    const server = { address: loopback(family), port };
    return [
      listenerSocket(family, port, l),
      unowned('request', 'SYN_RECV', server, client),
      owned('client', 'ESTABLISHED', c, client, server),
    ];
  },
  'accept-queue': acceptQueue,
  'fin-wait-1': async (it) => {
    const p = await pair(it);
    raw.close(p.c);
    await waitState(p.s, 'CLOSE_WAIT');
    return [
      unowned('client', 'FIN_WAIT1', p.client, p.server),
      owned('server', 'CLOSE_WAIT', p.s, p.server, p.client),
    ];
  },
  'last-ack': async (it) => {
    const p = await pair(it);
    raw.shutdown(p.c, 'write');
    await waitState(p.s, 'CLOSE_WAIT');
    await waitState(p.c, 'FIN_WAIT2');
    raw.close(p.s);
    return [
      owned('client', 'FIN_WAIT2', p.c, p.client, p.server),
      unowned('server', 'LAST_ACK', p.server, p.client),
    ];
  },
  closing: async (it) => {
    // Client FIN first (dropped on its way in), then the server's FIN, which does not ack the client's.
    const p = await pair(it);
    raw.close(p.c);
    raw.close(p.s);
    return [
      unowned('client', 'CLOSING', p.client, p.server),
      unowned('server', 'FIN_WAIT2', p.server, p.client),
    ];
  },
};

/**
 * A listener with backlog N that never accepts, and N + 2 clients: Linux queues backlog + 1 children
 * (sk_acceptq_is_full() tests `>`), then drops further SYNs (tcp_conn_request(), ListenOverflows), so
 * the last client stays in SYN_SENT. The first client then half-closes: its queued child turns
 * CLOSE_WAIT with nobody to read the FIN.
 */
async function acceptQueue({ family, port, backlog = DEFAULT_BACKLOG }: HoldItem): Promise<HeldSocket[]> {
  const l = listener(family, port, backlog);
  const server = { address: loopback(family), port };
  const clients: { fd: number; local: Endpoint }[] = [];
  for (let i = 0; i <= backlog; i++) {
    const fd = dial(family, port);
    await waitState(fd, 'ESTABLISHED');
    // Wait for the child to be queued before the next SYN, so the order is certain.
    await until(
      `accept queue of ${port} at ${i + 1}`,
      () => raw.listenQueue(l).queued === i + 1 || undefined,
    );
    clients.push({ fd, local: raw.getsockname(fd) });
  }
  const last = dial(family, port);
  const first = clients[0]!;
  raw.shutdown(first.fd, 'write');
  await waitState(first.fd, 'FIN_WAIT2');
  const out = [listenerSocket(family, port, l)];
  clients.forEach((c, i) => {
    out.push(unowned('queued', i === 0 ? 'CLOSE_WAIT' : 'ESTABLISHED', server, c.local));
    out.push(owned('client', i === 0 ? 'FIN_WAIT2' : 'ESTABLISHED', c.fd, c.local, server));
  });
  out.push(owned('client', 'SYN_SENT', last, raw.getsockname(last), server));
  return out;
}

/** Connects a client to a fresh listener, accepts, and closes the listener (the pair stays). */
async function pair({ family, port }: HoldItem): Promise<Pair> {
  const l = listener(family, port, 8);
  const c = dial(family, port);
  await waitState(c, 'ESTABLISHED');
  const accepted = await until(`accept on ${port}`, () => raw.accept(l, { nonBlocking: true }));
  raw.close(l);
  return { c, s: accepted.fd, client: raw.getsockname(c), server: raw.getsockname(accepted.fd) };
}

function listener(family: Family, port: number, backlog: number): number {
  const fd = raw.socket(family, { nonBlocking: true });
  raw.bind(fd, family, loopback(family), port);
  raw.listen(fd, backlog);
  return fd;
}

/** A non-blocking connect to the item's port: the SYN is out when this returns. */
function dial(family: Family, port: number): number {
  const fd = raw.socket(family, { nonBlocking: true });
  raw.connect(fd, family, loopback(family), port);
  return fd;
}

function listenerSocket(family: Family, port: number, fd: number): HeldSocket {
  const any = { address: family === 4 ? '0.0.0.0' : '::', port: 0 };
  return owned('listener', 'LISTEN', fd, { address: loopback(family), port }, any);
}

function owned(role: HeldRole, state: TcpState, fd: number, local: Endpoint, remote: Endpoint): HeldSocket {
  return { role, state, local: bare(local), remote: bare(remote), fd, owned: true };
}

function unowned(role: HeldRole, state: TcpState, local: Endpoint, remote: Endpoint): HeldSocket {
  return { role, state, local: bare(local), remote: bare(remote), fd: null, owned: false };
}

/** Drops the `family` key getsockname adds. */
function bare(e: Endpoint): Endpoint {
  return { address: e.address, port: e.port };
}

function waitState(fd: number, state: TcpState): Promise<true> {
  return until(`fd ${fd} in ${state}`, () => raw.tcpState(fd) === state || undefined);
}

/** Polls `probe` every few ms until it gives a value; throws after WAIT_MS. */
async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`holder: timed out after ${WAIT_MS} ms waiting for ${what}`);
    await sleep(STEP_MS);
  }
}
