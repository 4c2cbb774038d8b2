#!/usr/bin/env node
// Traffic for the capture benchmark, run inside its namespace: short connections (connect, a
// request, a reply, close) over IPv4 and IPv6 in parallel, plus bulk transfers, until the file
// STOP exists; with SHORT, SHORT short connections first, then bulk data to the end (a capture of a
// few long transfers and some short connections). Prints how many connections it made.
//   ip netns exec NS node traffic.mjs STOP [PARALLEL] [SHORT]
import { existsSync } from 'node:fs';
import net from 'node:net';

const stopFile = process.argv[2];
const parallel = Number(process.argv[3] ?? 8);
const shortMax = process.argv[4] ? Number(process.argv[4]) : Number.POSITIVE_INFINITY;
const stopped = () => existsSync(stopFile);
let conns = 0;
let shorts = 0;

function listen(host) {
  return new Promise((resolve) => {
    const server = net.createServer((s) => {
      s.on('data', (d) => {
        if (d.length < 1000) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
      s.on('end', () => s.end());
      s.on('error', () => {});
    });
    server.listen(0, host, () => resolve(server));
  });
}

function short(host, port) {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => s.write('GET / HTTP/1.1\r\nhost: bench\r\n\r\n'));
    s.once('data', () => s.end());
    s.on('close', () => {
      conns++;
      resolve();
    });
    s.on('error', () => {});
  });
}

async function shortLane(host, port) {
  while (!stopped() && shorts++ < shortMax) await short(host, port);
}

async function bulkLane(host, port) {
  const block = Buffer.alloc(64 * 1024, 'x');
  while (!stopped()) {
    await new Promise((resolve) => {
      const s = net.connect(port, host, async () => {
        for (let i = 0; i < 160 && !stopped(); i++)
          if (!s.write(block)) await new Promise((r) => s.once('drain', r));
        s.end();
      });
      // The server's end comes as a read: a socket never read never sees it, nor closes.
      s.resume();
      s.on('close', () => {
        conns++;
        resolve();
      });
      s.on('error', () => {});
    });
  }
}

const v4 = await listen('127.0.0.1');
const v6 = await listen('::1');
// Lanes may sit in a handshake or a full send buffer when STOP appears: leave at once instead.
setInterval(() => {
  if (!stopped()) return;
  console.log(JSON.stringify({ connections: conns }));
  process.exit(0);
}, 200);
const shortLanes = [];
for (let i = 0; i < parallel; i++)
  shortLanes.push(shortLane(i % 2 ? '::1' : '127.0.0.1', (i % 2 ? v6 : v4).address().port));
// With SHORT, the bulk transfers come once the short connections are done (else they starve them).
if (Number.isFinite(shortMax)) await Promise.all(shortLanes);
const lanes = [...shortLanes, bulkLane('127.0.0.1', v4.address().port), bulkLane('::1', v6.address().port)];
void Promise.all(lanes);
void v6;
