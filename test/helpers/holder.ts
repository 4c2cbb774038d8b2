/**
 * Holds TCP states for tests, run inside a test namespace (netns.ts startHolder): prints one JSON
 * line `{ pid, ports }` when they are made and holds them until stdin ends or SIGTERM.
 *   states       LISTEN (IPv4, IPv6, dual stack), ESTABLISHED (IPv4, IPv6, IPv4-mapped), TIME_WAIT,
 *                an orphan FIN_WAIT2 (a timewait socket) with its CLOSE_WAIT, an owned FIN_WAIT2 /
 *                CLOSE_WAIT pair (shutdown of one direction)
 *   fullqueue    a listener with backlog 2 that never accepts (raw syscalls: Node's net always
 *                accepts) and 5 clients: the queue holds 3, the listener shows Recv-Q 3 Send-Q 2
 *   transfer     a connection with data flowing (tcp_info counters move)
 *   closewait    3 connections the server never closes after the client's FIN (CLOSE_WAIT)
 * Loopback only; everything is bounded.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { rawListen } from './raw-listen.js';
import { type ProcTcpRow, procTcpRows, waitFor } from './wait.js';

const held: unknown[] = [];
const ports: Record<string, number> = {};
/** What the kernel must show (in this namespace's /proc/net/tcp{,6}) before the holder says ready. */
const expected: { what: string; ok: (rows: ProcTcpRow[]) => boolean }[] = [];

const ESTABLISHED = 1;
const FIN_WAIT2 = 5;
const TIME_WAIT = 6;
const CLOSE_WAIT = 8;
const LISTEN = 10;

/** Expects at least `n` sockets in `state` with that local or remote port. */
function expect(n: number, state: number, where: { local?: number; remote?: number }, what: string): void {
  expected.push({
    what,
    ok: (rows) =>
      rows.filter(
        (r) =>
          r.state === state &&
          (where.local === undefined || r.localPort === where.local) &&
          (where.remote === undefined || r.remotePort === where.remote),
      ).length >= n,
  });
}

function tcpTable(): ProcTcpRow[] {
  return [
    ...procTcpRows(readFileSync('/proc/net/tcp', 'utf8')),
    ...procTcpRows(readFileSync('/proc/net/tcp6', 'utf8')),
  ];
}

function listen(host: string, port: number, onConn?: (c: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, (c) => {
      held.push(c);
      c.on('error', () => {});
      onConn?.(c);
    });
    server.on('error', reject);
    server.listen({ host, port, ipv6Only: false }, () => resolve(server));
  });
}

function connect(host: string, port: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host, port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

async function states(): Promise<void> {
  // 7001 answers a FIN with its own (TIME_WAIT on the client); 7002 and 7003 never close.
  held.push(await listen('127.0.0.1', 7001, (c) => c.on('end', () => c.end())));
  held.push(await listen('::1', 7002));
  held.push(await listen('::', 7003));
  Object.assign(ports, { v4: 7001, v6: 7002, dual: 7003 });
  held.push(await connect('127.0.0.1', 7001), await connect('::1', 7002), await connect('127.0.0.1', 7003));
  (await connect('127.0.0.1', 7001)).end(); // TIME_WAIT
  (await connect('127.0.0.1', 7003)).destroy(); // orphan FIN_WAIT2 + CLOSE_WAIT
  const half = await connect('::1', 7002);
  half.end(); // owned FIN_WAIT2 + CLOSE_WAIT
  held.push(half);
  expect(1, TIME_WAIT, { remote: 7001 }, 'TIME_WAIT towards 7001');
  expect(1, FIN_WAIT2, { remote: 7003 }, 'the orphan FIN_WAIT2 towards 7003');
  expect(1, CLOSE_WAIT, { local: 7003 }, 'CLOSE_WAIT on 7003');
  expect(1, FIN_WAIT2, { remote: 7002 }, 'the owned FIN_WAIT2 towards 7002');
  expect(1, CLOSE_WAIT, { local: 7002 }, 'CLOSE_WAIT on 7002');
}

async function fullQueue(): Promise<void> {
  held.push(rawListen(7100, 2));
  ports['fullqueue'] = 7100;
  for (let i = 0; i < 5; i++) {
    const c = net.connect({ host: '127.0.0.1', port: 7100 });
    c.on('error', () => {});
    held.push(c);
  }
  // Linux admits backlog + 1 to the accept queue: Recv-Q 3 on the listener.
  expected.push({
    what: 'an accept queue of 3 on 7100',
    ok: (rows) => rows.some((r) => r.state === LISTEN && r.localPort === 7100 && r.rxQueue === 3),
  });
}

async function transfer(): Promise<void> {
  held.push(await listen('127.0.0.1', 7200, (c) => c.resume()));
  ports['transfer'] = 7200;
  const c = await connect('127.0.0.1', 7200);
  held.push(c);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  held.push(setInterval(() => c.write(chunk), 20));
  expect(1, ESTABLISHED, { local: 7200 }, "the transfer's server end");
  expect(1, ESTABLISHED, { remote: 7200 }, "the transfer's client end");
}

async function closeWait(): Promise<void> {
  held.push(await listen('127.0.0.1', 7300));
  ports['closewait'] = 7300;
  for (let i = 0; i < 3; i++) {
    const c = await connect('127.0.0.1', 7300);
    c.end();
    held.push(c);
  }
  expect(3, CLOSE_WAIT, { local: 7300 }, '3 CLOSE_WAIT on 7300');
}

const MAKERS: Record<string, () => Promise<void>> = {
  states,
  fullqueue: fullQueue,
  transfer,
  closewait: closeWait,
};

// `node --test build/test/` also runs this file: with nothing to make, it leaves at once.
if (process.argv.length <= 2) process.exit(0);
for (const what of process.argv.slice(2)) {
  const make = MAKERS[what];
  if (!make) throw new Error(`holder: unknown state set '${what}'`);
  await make();
}
for (const e of expected) await waitFor(e.what, () => e.ok(tcpTable()), { timeoutMs: 15_000, everyMs: 10 });
process.stdout.write(`${JSON.stringify({ pid: process.pid, ports })}\n`);
const stop = (): never => process.exit(0);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
