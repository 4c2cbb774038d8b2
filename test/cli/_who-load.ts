/**
 * A busy port for `who` tests, run inside a test namespace: a server on 127.0.0.1:PORT that closes
 * first (so the TIME_WAIT sockets stay on its side, its local port PORT), COUNT connections from
 * three client addresses in 127.0.0.0/8, two connections kept open, and a socket bound to
 * 127.0.0.5:PORT that neither listens nor connects (TCP_BOUND_INACTIVE). Prints one JSON line
 * `{ pid, made }` when done and holds everything until stdin ends.
 *   node _who-load.js PORT COUNT
 */
import net from 'node:net';
import * as raw from '../../src/lab/rawsock.js';

// The test runner runs every file under build/test: without arguments this is no test, and ends.
if (process.argv.length < 4) process.exit(0);
const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const CLIENTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const held: unknown[] = [];
let kept = 0;

const server = net.createServer((c) => {
  c.on('error', () => {});
  if (kept++ < 2) held.push(c);
  else c.end(); // the server's FIN first: TIME_WAIT on the server's side
});
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen({ host: '127.0.0.1', port, backlog: 511 }, resolve);
});

/** One connection from `localAddress`; resolves when the client has closed too. */
function once(localAddress: string, keep: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port, localAddress });
    c.once('error', reject);
    if (keep) {
      c.once('connect', () => resolve());
      held.push(c);
    } else c.once('close', () => resolve());
  });
}

await once('127.0.0.2', true);
await once('127.0.0.3', true);
// Weighted peers (3:2:1) so the summary's order is known; 100 at a time.
const order = Array.from({ length: count }, (_, i) => CLIENTS[i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2]!);
for (let i = 0; i < order.length; i += 100) {
  await Promise.all(order.slice(i, i + 100).map((a) => once(a, false)));
}

const fd = raw.socket(4);
raw.bind(fd, 4, '127.0.0.5', port);
held.push(fd);

process.stdout.write(`${JSON.stringify({ pid: process.pid, made: count })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
