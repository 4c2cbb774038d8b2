/**
 * Test helper: tcpscope's `trace` run as the user runs it (its own process), and a second tracefs
 * instance read beside it: the kernel's own text of the same events, to compare with.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const TRACEFS = '/sys/kernel/tracing';
export const CLI = fileURLToPath(new URL('../../../dist/tcpscope.mjs', import.meta.url));
let n = 0;

/** A second instance recording the state events of `port` as text (`trace`, read at the end). */
export function sidecar(port: number): { text(): string; remove(): void } {
  if (!existsSync(`${TRACEFS}/instances`)) execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS]);
  const dir = `${TRACEFS}/instances/tcpscope-${process.pid}-sidecar-${n++}`;
  mkdirSync(dir);
  const ev = `${dir}/events/sock/inet_sock_set_state`;
  writeFileSync(`${dir}/trace_clock`, 'mono');
  writeFileSync(`${ev}/filter`, `protocol == 6 && (sport == ${port} || dport == ${port})`);
  writeFileSync(`${ev}/enable`, '1');
  return {
    text: () => readFileSync(`${dir}/trace`, 'utf8'),
    remove: () => {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    },
  };
}

/** Instances whose name holds this pid. */
export function instancesOf(pid: number): string[] {
  return readdirSync(`${TRACEFS}/instances`).filter((d) => d.startsWith(`tcpscope-${pid}-`));
}

/** Waits for `cond` until `ms` pass; throws with `what` on time-out. */
export async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface Running {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

/**
 * `tcpscope ARGS` as a process (in namespace `netns` when given: its socket tables are read there,
 * while tracefs is the kernel's own); resolves once its tracefs instance exists (it is tracing).
 */
export async function startTcpscope(args: string[], purpose = 'trace', netns?: string): Promise<Running> {
  const argv = [process.execPath, CLI, ...args];
  const child = netns
    ? spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await until(`tcpscope ${args.join(' ')} to start (${err})`, 15_000, () =>
    instancesOf(child.pid!).some((d) => d.includes(`-${purpose}`)),
  );
  // The instance appears before its events are enabled: give it a moment to arm.
  await sleep(200);
  return { child, out: () => out, err: () => err, exited };
}
