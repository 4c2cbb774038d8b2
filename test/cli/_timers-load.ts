/**
 * Sockets with each of the kernel's timers, for comparing `ls -o` with `ss -tano`, run inside a
 * test namespace whose tcp_rmem is small (so a window closes after a few kilobytes):
 *   on         clients in SYN_SENT retransmitting their SYN to a listener whose queue is full
 *   keepalive  an idle connection with SO_KEEPALIVE
 *   timewait   a connection the client closed first
 *   persist    a sender facing a zero window (the receiver never reads)
 * Prints one JSON line `{ pid }` when every kind exists and holds them until stdin ends.
 *   node _timers-load.js hold
 */
import net from 'node:net';
import * as raw from '../../src/lab/rawsock.js';

// The test runner runs every file under build/test: without `hold` this is no test, and ends.
if (process.argv[2] !== 'hold') process.exit(0);
const held: unknown[] = [];

function listen(port: number, onConn: (c: net.Socket) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.createServer((c) => {
      c.on('error', () => {});
      held.push(c);
      onConn(c);
    });
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port }, () => resolve());
    held.push(s);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port }, () => resolve(c));
    c.once('error', reject);
    c.on('error', () => {});
  });
}

// on: a listener that never accepts, backlog 0 (Linux admits one child), and three clients.
const full = raw.socket(4);
raw.bind(full, 4, '127.0.0.1', 9100);
raw.listen(full, 0);
held.push(full);
for (let i = 0; i < 3; i++) {
  const c = raw.socket(4, { nonBlocking: true });
  raw.connect(c, 4, '127.0.0.1', 9100);
  held.push(c);
}

// keepalive: idle, probing after an hour.
await listen(9101, () => {});
const idle = await connect(9101);
idle.setKeepAlive(true, 3_600_000);
held.push(idle);

// timewait: the server answers the client's FIN with its own.
await listen(9102, (c) => c.on('end', () => c.end()));
(await connect(9102)).end();

// persist: the receiver is paused; the sender writes until the window is zero.
await listen(9103, (c) => c.pause());
const sender = await connect(9103);
held.push(sender);
sender.write(Buffer.alloc(4 << 20));

process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
