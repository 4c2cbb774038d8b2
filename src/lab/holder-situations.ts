/**
 * The situations the holder makes (see SITUATION_KINDS): many connections at once, over IPv4, their
 * peers on addresses of their own in 127.0.0.0/8 (scenario.ts peerAddress), the nft rules of the
 * kind already in place. Each maker says what it made and what it saw (`facts`), such as the errno
 * of a bind. What the kernel does with sockets the holder no longer owns is for `ss` to confirm.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeWhenPeerCloses,
  connectMany,
  connectPair,
  dial,
  listener,
  listenerSocket,
  owned,
  type Pair,
  unowned,
  waitStates,
} from './holder-kit.js';
import * as raw from './rawsock.js';
import {
  FLOOD_BACKLOG,
  type HeldItem,
  type HeldSocket,
  type HoldItem,
  peerAddress,
  type SituationKind,
} from './scenario.js';

/** What a situation maker made. */
export type Made = Pick<HeldItem, 'sockets' | 'facts'>;
type Maker = (item: HoldItem) => Promise<Made>;

/** The default number of connections of each situation. */
export const SITUATION_COUNTS: Record<SituationKind, number> = {
  'syn-flood': 200,
  scan: 200,
  'close-wait-leak': 20,
  'half-open': 10,
  'server-shutdown': 20,
  'vanished-client': 10,
  'killed-client': 10,
  restart: 5,
};

const LO = '127.0.0.1';
/** A window small enough to close after a few segments (the kernel doubles it). */
const SMALL_BUF = 4096;

export const SITUATION_MAKERS: Record<SituationKind, Maker> = {
  'syn-flood': synFlood,
  scan: async ({ kind, port, count = SITUATION_COUNTS.scan }) => {
    // A worm's scan: one port, many addresses; the SYNs to them go unanswered (dropped on the way in).
    const targets = peers(kind as SituationKind, count);
    const sockets = targets.map((to) => {
      const fd = dial(4, port, { to });
      return owned('client', 'SYN_SENT', fd, raw.getsockname(fd), { address: to, port });
    });
    return { sockets };
  },
  'close-wait-leak': async (item) => {
    const { l, pairs } = await serve(item);
    // The clients leave (close: FIN); the server reads the end of stream but never calls close().
    for (const p of pairs) raw.close(p.c);
    await waitStates(
      pairs.map((p) => p.s),
      'CLOSE_WAIT',
    );
    return {
      sockets: [
        listenerSocket(4, item.port, l),
        ...pairs.flatMap((p) => [
          owned('server', 'CLOSE_WAIT', p.s, p.server, p.client),
          unowned('client', 'FIN_WAIT2', p.client, p.server),
        ]),
      ],
    };
  },
  'half-open': halfOpen,
  'server-shutdown': serverShutdown,
  'vanished-client': async (item) => {
    const { l, pairs } = await serve(item);
    for (const p of pairs) raw.close(p.c);
    // The server closes in turn; its FIN never reaches the vanished machine (the nft rule).
    await closeWhenPeerCloses(pairs.map((p) => p.s));
    return {
      sockets: [
        listenerSocket(4, item.port, l),
        ...pairs.flatMap((p) => [
          unowned('server', 'LAST_ACK', p.server, p.client),
          unowned('client', 'FIN_WAIT2', p.client, p.server),
        ]),
      ],
    };
  },
  'killed-client': killedClient,
  restart,
};

/** `count` peer addresses of a kind. */
function peers(kind: SituationKind, count: number): string[] {
  return Array.from({ length: count }, (_, i) => peerAddress(kind, i));
}

/** A listener with room for every client, and `count` established pairs from the kind's peers. */
async function serve(
  item: HoldItem,
  opts: { reuseaddr?: boolean; rcvbuf?: number } = {},
): Promise<{ l: number; pairs: Pair[] }> {
  const count = item.count ?? SITUATION_COUNTS[item.kind as SituationKind];
  const l = listener(4, item.port, count + 8, opts.reuseaddr ? { reuseaddr: true } : {});
  const from = peers(item.kind as SituationKind, count);
  const pairs = await connectMany(l, item.port, from, opts.rcvbuf ? { rcvbuf: opts.rcvbuf } : {});
  return { l, pairs };
}

/**
 * SYNs from `count` sources to a listener with backlog B that never completes a handshake. The first
 * requests wait in SYN_RECV (up to the backlog: inet_csk_reqsk_queue_is_full()); past that, with
 * tcp_syncookies on, the listener answers with SYN cookies and keeps nothing (SyncookiesSent). Every
 * source got a SYN-ACK (real or cookie) and then vanishes: closed with SO_LINGER 0, its RST dropped.
 */
async function synFlood({
  kind,
  port,
  count = SITUATION_COUNTS['syn-flood'],
  backlog,
}: HoldItem): Promise<Made> {
  const b = backlog ?? FLOOD_BACKLOG;
  const l = listener(4, port, b);
  const server = { address: LO, port };
  const fds = peers(kind as SituationKind, count).map((from) => dial(4, port, { from }));
  await waitStates(fds, 'ESTABLISHED');
  const sources = fds.map((fd) => raw.getsockname(fd));
  for (const fd of fds) {
    raw.setLinger(fd, true, 0);
    raw.close(fd);
  }
  const requests = Math.min(count, requestLimit(b));
  return {
    sockets: [
      listenerSocket(4, port, l),
      ...sources.slice(0, requests).map((src) => unowned('request', 'SYN_RECV', server, src)),
    ],
    facts: { backlog: b, requests, cookies: count - requests },
  };
}

/**
 * How many request sockets a listener with backlog B keeps before it answers with cookies:
 * inet_csk_reqsk_queue_is_full() is `len > sk_max_ack_backlog` (include/net/inet_connection_sock.h),
 * checked before each new request, so B + 1 (measured on Linux 6.18).
 */
export function requestLimit(backlog: number): number {
  return backlog + 1;
}

/**
 * Peers that vanish without a FIN: each client is closed with SO_LINGER 0 and its RST dropped, so the
 * server keeps an idle ESTABLISHED socket that nothing will ever end (no keepalive, no data to send).
 * Then the same peer connects again: the stale sockets block nobody.
 */
async function halfOpen(item: HoldItem): Promise<Made> {
  const { l, pairs } = await serve(item);
  for (const p of pairs) {
    raw.setLinger(p.c, true, 0);
    raw.close(p.c);
  }
  // A port none of the vanished connections had, so the new SYN meets no stale socket.
  const fromPort = Math.max(...pairs.map((p) => p.client.port)) + 1;
  const again = await connectPair(l, 4, item.port, { from: pairs[0]!.client.address, fromPort });
  return {
    sockets: [
      listenerSocket(4, item.port, l),
      ...pairs.map((p) => owned('server', 'ESTABLISHED', p.s, p.server, p.client)),
      owned('client', 'ESTABLISHED', again.c, again.client, again.server),
      owned('server', 'ESTABLISHED', again.s, again.server, again.client),
    ],
    facts: { reconnected: true },
  };
}

/**
 * A server shuts down: it closes every connection. Clients that never read have closed their window
 * (small receive buffers, full), so the server's FIN waits behind unsent data: FIN_WAIT1 orphans with
 * the zero-window probe timer (tcp_probe_timer()), as long as the peers answer the probes. Two clients
 * that do read, as a control, take the data and the FIN at once and close in turn: the server's side
 * goes straight to TIME_WAIT.
 */
async function serverShutdown(item: HoldItem): Promise<Made> {
  const { l, pairs } = await serve(item, { rcvbuf: SMALL_BUF });
  const control = await connectMany(l, item.port, ['127.6.9.1', '127.6.9.2']);
  const chunk = new Uint8Array(16384);
  for (const p of pairs) {
    raw.setSndBuf(p.s, SMALL_BUF * 4);
    // Fill the client's window and the server's buffer (bounded: a few dozen chunks at most).
    for (let i = 0; i < 64 && raw.send(p.s, chunk) > 0; i++);
  }
  for (const p of control) raw.send(p.s, chunk.subarray(0, 100));
  raw.close(l);
  for (const p of [...pairs, ...control]) raw.close(p.s);
  // The readers read to the end of stream and close too (the server's orphan then turns TIME_WAIT);
  // closing with unread data would send an RST instead of a FIN.
  await closeWhenPeerCloses(control.map((p) => p.c));
  return {
    sockets: [
      ...pairs.flatMap((p) => [
        unowned('server', 'FIN_WAIT1', p.server, p.client),
        owned('client', 'ESTABLISHED', p.c, p.client, p.server),
      ]),
      ...control.map((p) => unowned('server', 'TIME_WAIT', p.server, p.client)),
    ],
  };
}

/**
 * The folklore's load client, killed: its connections are handed to a separate process (their fds
 * passed as its stdio), which is then killed with SIGKILL. Its kernel closes the sockets (FIN); the
 * server, seeing the end of stream, closes too; the client's kernel, still holding the orphans,
 * acknowledges that FIN at once. So the server is not left in LAST_ACK; the clients end in TIME_WAIT.
 */
async function killedClient(item: HoldItem): Promise<Made> {
  const { l, pairs } = await serve(item);
  const fds = pairs.map((p) => p.c);
  const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', ...fds] });
  await once(child, 'spawn');
  for (const fd of fds) raw.close(fd);
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  await closeWhenPeerCloses(pairs.map((p) => p.s));
  return {
    sockets: [
      listenerSocket(4, item.port, l),
      ...pairs.map((p) => unowned('client', 'TIME_WAIT', p.client, p.server)),
    ],
    facts: { killedPid: child.pid ?? 0, signal: 'SIGKILL' },
  };
}

/**
 * A server restarted while its old connections sit in TIME_WAIT: it closes them first (the active
 * close leaves TIME_WAIT on its own port), closes its listener, and binds the port again. A bind
 * conflicts with a TIME_WAIT socket unless both it and the old connection had SO_REUSEADDR
 * (inet_bind_conflict(), net/ipv4/inet_connection_sock.c; the timewait socket keeps sk_reuse). The
 * new listener is made when the bind with the server's own setting succeeds.
 */
async function restart(item: HoldItem): Promise<Made> {
  const reuseaddr = item.reuseaddr ?? false;
  const { l, pairs } = await serve(item, { reuseaddr });
  for (const p of pairs) raw.close(p.s);
  await closeWhenPeerCloses(pairs.map((p) => p.c));
  raw.close(l);
  const facts = {
    reuseaddr,
    bindWithoutReuseaddr: tryBind(item.port, false),
    bindWithReuseaddr: tryBind(item.port, true),
  };
  const sockets: HeldSocket[] = pairs.map((p) => unowned('server', 'TIME_WAIT', p.server, p.client));
  const bind = reuseaddr ? facts.bindWithReuseaddr : facts.bindWithoutReuseaddr;
  if (bind === 'ok') sockets.push(listenerSocket(4, item.port, listener(4, item.port, 8, { reuseaddr })));
  return { sockets, facts: { ...facts, restarted: bind === 'ok' } };
}

/** Binds a fresh socket to the port and closes it: 'ok', or the errno's name. */
function tryBind(port: number, reuseaddr: boolean): string {
  const fd = raw.socket(4);
  try {
    raw.setReuseAddr(fd, reuseaddr);
    raw.bind(fd, 4, LO, port);
    return 'ok';
  } catch (e) {
    if (e instanceof raw.SyscallError) return e.errnoName;
    throw e;
  } finally {
    raw.close(fd);
  }
}
