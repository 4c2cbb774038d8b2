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
import net from 'node:net';
import koffi from 'koffi';

const held: unknown[] = [];
const ports: Record<string, number> = {};

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
}

/** A listener that never accepts, made with socket(2), bind(2), listen(2) through koffi. */
function rawListener(port: number, backlog: number): number {
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('int socket(int, int, int)');
  const bind = libc.func('int bind(int, const void *, uint32_t)');
  const listenFn = libc.func('int listen(int, int)');
  const fd = socket(2, 1, 0) as number; // AF_INET, SOCK_STREAM
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(2, 0); // sin_family, host order
  addr.writeUInt16BE(port, 2); // sin_port, network order
  addr.set([127, 0, 0, 1], 4);
  if (fd < 0 || bind(fd, addr, 16) !== 0 || listenFn(fd, backlog) !== 0) {
    throw new Error(`raw listener on ${port}: errno ${koffi.errno()}`);
  }
  return fd;
}

async function fullQueue(): Promise<void> {
  held.push(rawListener(7100, 2));
  ports['fullqueue'] = 7100;
  for (let i = 0; i < 5; i++) {
    const c = net.connect({ host: '127.0.0.1', port: 7100 });
    c.on('error', () => {});
    held.push(c);
  }
  await sleep(500);
}

async function transfer(): Promise<void> {
  held.push(await listen('127.0.0.1', 7200, (c) => c.resume()));
  ports['transfer'] = 7200;
  const c = await connect('127.0.0.1', 7200);
  held.push(c);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  held.push(setInterval(() => c.write(chunk), 20));
}

async function closeWait(): Promise<void> {
  held.push(await listen('127.0.0.1', 7300));
  ports['closewait'] = 7300;
  for (let i = 0; i < 3; i++) {
    const c = await connect('127.0.0.1', 7300);
    c.end();
    held.push(c);
  }
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
await sleep(300);
process.stdout.write(`${JSON.stringify({ pid: process.pid, ports })}\n`);
const stop = (): never => process.exit(0);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
