/**
 * The holder's entry point, run inside a lab namespace as
 * `ip netns exec NS node build/src/lab/holder-main.js '<spec json>' [--detached]` (see apply.ts, which
 * finds this file through the package's own `tcpscope/lab-holder` export). It makes the sockets, writes
 * one JSON line (`HolderReport`, or `{ "pid", "error" }` and exit 2), and holds them until stdin closes
 * or a SIGTERM or SIGINT comes (with `--detached`, for `tcpscope lab up`, stdin is not watched: only
 * the signals end it); exiting closes every fd, and the kernel takes the sockets from there.
 */
import { hold } from './holder.js';
import { type HolderReport, parseHolderSpec } from './scenario.js';

function leave(): void {
  process.exit(0);
}

try {
  const spec = parseHolderSpec(JSON.parse(process.argv[2] ?? ''));
  const report: HolderReport = { pid: process.pid, items: await hold(spec) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  if (process.argv[3] !== '--detached') {
    process.stdin.on('end', leave);
    process.stdin.on('close', leave);
    process.stdin.resume();
  } else {
    // Nothing else keeps the event loop alive: the sockets are raw fds, not Node handles.
    setInterval(() => {}, 1 << 30);
  }
  process.on('SIGTERM', leave);
  process.on('SIGINT', leave);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, error: (e as Error).message })}\n`);
  process.exitCode = 2;
  process.exit();
}
