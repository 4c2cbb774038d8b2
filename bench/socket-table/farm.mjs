#!/usr/bin/env node
// Holds a socket table of a chosen size in the current network namespace (run it under
// `ip netns exec`): ESTABLISHED pairs, half-closed pairs (CLOSE_WAIT + FIN_WAIT2), listeners and a
// steady TIME_WAIT churn. Prints `ready <sockets>` on stdout when built, holds until SIGTERM/stdin EOF.
// The open-file limit (20,000 on the machines measured, not raisable) caps one process at about
// 9,000 pairs: `--procs N` spreads the table over N worker processes.
// Listeners take ports from 20000 up: keep the ephemeral range above them (run.sh does).
// Loopback only; every count is bounded by the arguments.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5000' },
    halfclosed: { type: 'string', default: '200' },
    listeners: { type: 'string', default: '50' },
    'tw-rate': { type: 'string', default: '0' },
    procs: { type: 'string', default: '1' },
    worker: { type: 'string' },
  },
});
const procs = Number(values.procs);
if (procs > 1 && values.worker === undefined) await supervise();
const pairs = Number(values.pairs);
const halfclosed = Number(values.halfclosed);
const listenerCount = Math.max(1, Number(values.listeners));
const twRate = Number(values['tw-rate']);
const BASE_PORT = 20000 + Number(values.worker ?? 0) * listenerCount;
const held = [];

function listen(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, (c) => {
      held.push(c);
      c.on('error', () => {});
      // TIME_WAIT churn goes to the last listener, which closes when the client does.
      if (port === BASE_PORT + listenerCount - 1) c.on('end', () => c.end());
    });
    server.on('error', reject);
    server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => resolve(server));
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(c));
    c.on('error', reject);
  });
}

async function inBatches(n, batch, make) {
  for (let i = 0; i < n; i += batch) {
    const jobs = [];
    for (let j = i; j < Math.min(n, i + batch); j++) jobs.push(make(j));
    for (const c of await Promise.all(jobs)) held.push(c);
  }
}

for (let i = 0; i < listenerCount; i++) held.push(await listen(BASE_PORT + i));
// The churn listener is kept for TIME_WAIT only.
const spread = Math.max(1, listenerCount - 1);
await inBatches(pairs, 500, (j) => connect(BASE_PORT + (j % spread)));
await inBatches(halfclosed, 200, async (j) => {
  const c = await connect(BASE_PORT + (j % spread));
  c.end(); // FIN_WAIT2 here, CLOSE_WAIT on the server side (it never closes)
  return c;
});

let timer;
if (twRate > 0) {
  const churnPort = BASE_PORT + listenerCount - 1;
  const perTick = Math.max(1, Math.round(twRate / 10));
  timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const c = net.connect({ port: churnPort, host: '127.0.0.1' }, () => c.end());
      c.on('error', () => {});
    }
  }, 100);
}

process.stdout.write(`ready ${listenerCount + 2 * pairs + 2 * halfclosed}\n`);
const stop = () => {
  clearInterval(timer);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

/** Starts the workers, each with its share, and reports ready when all are. */
async function supervise() {
  const share = (v) => String(Math.ceil(Number(v) / procs));
  const children = [];
  let total = 0;
  for (let w = 0; w < procs; w++) {
    const args = [process.argv[1], '--worker', String(w), '--pairs', share(values.pairs)];
    args.push('--halfclosed', share(values.halfclosed), '--listeners', values.listeners);
    args.push('--tw-rate', w === 0 ? values['tw-rate'] : '0');
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const line = await new Promise((resolve) =>
      createInterface({ input: child.stdout }).once('line', resolve),
    );
    total += Number(String(line).split(' ')[1]);
  }
  process.stdout.write(`ready ${total}\n`);
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  await new Promise(() => {});
}
