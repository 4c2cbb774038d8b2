/** Runs the built CLI (dist/tcpscope.mjs) as a user would, optionally inside a namespace. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../dist/tcpscope.cjs', import.meta.url));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `tcpscope ARGS`, in namespace `netns` (ip netns exec) and as `user` (runuser) when given; `env`
 * adds to or (with undefined) removes from the environment.
 */
export function tcpscope(
  args: string[],
  opts: { netns?: string; user?: string; input?: string; env?: Record<string, string | undefined> } = {},
): Run {
  let argv = [process.execPath, BIN, ...args];
  if (opts.user) argv = ['runuser', '-u', opts.user, '--', ...argv];
  if (opts.netns) argv = ['ip', 'netns', 'exec', opts.netns, ...argv];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 256 << 20,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `tcpscope ARGS --json`, parsed; fails the test with stderr when the command failed. */
export function tcpscopeJson<T = unknown>(args: string[], opts: { netns?: string; user?: string } = {}): T {
  const r = tcpscope([...args, '--json'], opts);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`tcpscope ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
