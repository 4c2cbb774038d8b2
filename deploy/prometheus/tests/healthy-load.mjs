// A busy healthy host's TCP traffic, for recording the series the alert rules must stay quiet on:
// a server on 127.0.0.1:PORT that answers and closes, RATE short connections per second from
// clients that close first (TIME_WAIT piles up on their side, as behind a busy proxy), and a pool
// of POOL long connections exchanging small requests. Runs SECONDS, then exits. Loopback only: run
// it inside a network namespace of your own.
import net from 'node:net';

const [port = 8080, rate = 150, pool = 50, seconds = 60] = process.argv.slice(2).map(Number);
const server = net.createServer((c) => {
  c.on('data', (d) => c.write(d));
  c.on('end', () => c.end());
  c.on('error', () => {});
});
await new Promise((r) => server.listen({ port, host: '127.0.0.1', backlog: 1024 }, r));

const conns = [];
for (let i = 0; i < pool; i++) {
  const c = net.connect({ port, host: '127.0.0.1' });
  c.on('error', () => {});
  conns.push(c);
}
const ping = setInterval(() => {
  for (const c of conns) c.write('ping\n');
}, 200);

let opened = 0;
const tick = setInterval(() => {
  for (let i = 0; i < rate / 10; i++) {
    const c = net.connect({ port, host: '127.0.0.1' }, () => c.write('GET /\n'));
    c.once('data', () => c.end());
    c.on('error', () => {});
    opened++;
  }
}, 100);

setTimeout(() => {
  clearInterval(tick);
  clearInterval(ping);
  for (const c of conns) c.destroy();
  server.close();
  console.error(`healthy-load: ${opened} short connections, ${pool} pooled`);
  setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
