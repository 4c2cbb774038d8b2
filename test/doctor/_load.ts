/**
 * Traffic for the doctor's namespace tests, run inside a test namespace (`ip netns exec NS node
 * _load.js KIND ...`). It prints one JSON line when the load runs, and stops when stdin closes or
 * after its time limit. Loopback only, bounded in count and time.
 *
 * - `busy`: a healthy busy host: a server on :8080 whose slow backend answers 200 ms after half-closing
 *   clients finish their request (CLOSE_WAIT and FIN_WAIT2 for a moment, client TIME_WAIT); a server
 *   on :8081 that answers and closes first (server TIME_WAIT); ~300 connections a second in all; an
 *   idle pool of 60 connections to :5432; a listener on :22 nobody uses.
 * - `refuse PORT`: connect() to 127.0.0.1:PORT (nothing listens) in a loop: a refused storm.
 * - `exhaust PORT N`: a server on PORT and a client holding N connections to it, then trying more
 *   (EADDRNOTAVAIL once ip_local_port_range is used up).
 */
import net from 'node:net';

const LIMIT_MS = 60_000;
const [kind, arg1, arg2] = process.argv.slice(2);
const stop = (): never => process.exit(0);
// Without a kind (the test runner loads every file of build/test/): nothing to do.
if (kind === undefined) stop();
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
setTimeout(stop, LIMIT_MS).unref();

const ready = (extra: object = {}): void => {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ...extra })}\n`);
};

function listen(port: number, onConn: (s: net.Socket) => void, allowHalfOpen = false): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer({ allowHalfOpen }, onConn);
    srv.listen({ port, host: '127.0.0.1', backlog: 511 }, () => resolve(srv));
  });
}

async function busy(): Promise<void> {
  // Half-closing clients: the request ends with FIN; the slow backend answers 200 ms later.
  await listen(
    8080,
    (s) => {
      s.on('error', () => undefined);
      s.resume();
      s.on('end', () => setTimeout(() => s.end('response'), 200));
    },
    true,
  );
  // A server that closes first: the response, then FIN, 50 ms after the request.
  await listen(8081, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => setTimeout(() => s.end('response'), 50));
  });
  await listen(5432, (s) => s.on('error', () => undefined));
  await listen(22, (s) => s.destroy());
  const pool: net.Socket[] = [];
  for (let i = 0; i < 60; i++) pool.push(net.connect(5432, '127.0.0.1').on('error', () => undefined));
  let made = 0;
  const tick = setInterval(() => {
    if (made >= 15_000) return;
    for (let i = 0; i < 3; i++) {
      made += 2;
      const a = net.connect({ port: 8080, host: '127.0.0.1', allowHalfOpen: true }, () => a.end('request'));
      a.on('error', () => undefined).resume();
      a.on('end', () => a.destroy());
      const b = net.connect(8081, '127.0.0.1', () => b.write('request'));
      b.on('error', () => undefined).resume();
    }
  }, 20);
  tick.unref();
  ready();
}

function refuse(port: number): void {
  let n = 0;
  const again = (): void => {
    if (n >= 200_000) return;
    n++;
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => setImmediate(again));
  };
  for (let i = 0; i < 8; i++) again();
  ready();
}

async function exhaust(port: number, count: number): Promise<void> {
  await listen(port, (s) => s.on('error', () => undefined));
  const held: net.Socket[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => resolve());
      c.on('error', () => {
        failed++;
        resolve();
      });
      held.push(c);
    });
  }
  // The range is used up: every further connect() fails at once with EADDRNOTAVAIL.
  const tryMore = setInterval(() => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => undefined);
    c.on('connect', () => c.destroy());
  }, 20);
  tryMore.unref();
  ready({ held: held.length - failed, failed });
}

if (kind === 'busy') void busy();
else if (kind === 'refuse') refuse(Number(arg1));
else if (kind === 'exhaust') void exhaust(Number(arg1), Number(arg2));
else {
  process.stderr.write(`_load: unknown kind ${kind}\n`);
  process.exit(2);
}
