/**
 * The holder: runs inside a lab namespace and makes sockets in the states a spec asks for, with raw
 * system calls (rawsock.ts), then keeps them. It waits only on what it owns (TCP_INFO's state, the
 * listener's accept-queue length) and only for bounded times; states of sockets it no longer owns
 * (orphans, TIME_WAIT, requests, queued children) are for the caller to confirm with `ss`.
 * The nft rules a kind needs (scenario.ts) must be in place before the item is made.
 */
import type { Endpoint } from '../tcp/socket.js';
import {
  closeAfterEof,
  dial,
  listener,
  listenerSocket,
  owned,
  pair,
  unowned,
  until,
  waitState,
} from './holder-kit.js';
import { SITUATION_MAKERS } from './holder-situations.js';
import * as raw from './rawsock.js';
import {
  DEFAULT_BACKLOG,
  type HeldItem,
  type HeldSocket,
  type HolderSpec,
  type HoldItem,
  loopback,
  type StateKind,
} from './scenario.js';

/** Makes every item of the spec in order and returns what it made. */
export async function hold(spec: HolderSpec): Promise<HeldItem[]> {
  const out: HeldItem[] = [];
  for (const item of spec.items) {
    const situation = SITUATION_MAKERS[item.kind as keyof typeof SITUATION_MAKERS];
    out.push(
      situation ? { ...item, ...(await situation(item)) } : { ...item, sockets: await makeState(item) },
    );
  }
  return out;
}

function makeState(item: HoldItem): Promise<HeldSocket[]> {
  return MAKERS[item.kind as StateKind](item);
}

type Maker = (item: HoldItem) => Promise<HeldSocket[]>;

const MAKERS: Record<StateKind, Maker> = {
  listen: async ({ family, port, wildcard = false }) => {
    const l = listener(family, port, 8, { wildcard });
    return [listenerSocket(family, port, l, wildcard)];
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
    closeAfterEof(p.s);
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
 * A listener with backlog N that never accepts, and `count` clients (N + 2 by default): Linux queues
 * backlog + 1 children (sk_acceptq_is_full() tests `>`), then drops further SYNs (tcp_conn_request(),
 * ListenOverflows), so the clients after those stay in SYN_SENT. The first client then half-closes:
 * its queued child turns CLOSE_WAIT with nobody to read the FIN.
 */
async function acceptQueue({
  family,
  port,
  backlog = DEFAULT_BACKLOG,
  count,
}: HoldItem): Promise<HeldSocket[]> {
  const l = listener(family, port, backlog);
  const server = { address: loopback(family), port };
  const total = count ?? backlog + 2;
  const clients: { fd: number; local: Endpoint }[] = [];
  for (let i = 0; i < Math.min(total, backlog + 1); i++) {
    const fd = dial(family, port);
    await waitState(fd, 'ESTABLISHED');
    // Wait for the child to be queued before the next SYN, so the order is certain.
    await until(
      `accept queue of ${port} at ${i + 1}`,
      () => raw.listenQueue(l).queued === i + 1 || undefined,
    );
    clients.push({ fd, local: raw.getsockname(fd) });
  }
  const dropped = Array.from({ length: total - clients.length }, () => dial(family, port));
  const first = clients[0]!;
  raw.shutdown(first.fd, 'write');
  await waitState(first.fd, 'FIN_WAIT2');
  const out = [listenerSocket(family, port, l)];
  clients.forEach((c, i) => {
    out.push(unowned('queued', i === 0 ? 'CLOSE_WAIT' : 'ESTABLISHED', server, c.local));
    out.push(owned('client', i === 0 ? 'FIN_WAIT2' : 'ESTABLISHED', c.fd, c.local, server));
  });
  for (const fd of dropped) out.push(owned('client', 'SYN_SENT', fd, raw.getsockname(fd), server));
  return out;
}
