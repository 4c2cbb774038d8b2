/**
 * Private network namespaces for tests (root): created with `ip netns add`, loopback up, timers
 * shortened, always deleted. And a state holder (holder.ts) started inside one.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

let counter = 0;

export interface TestNetns {
  name: string;
  /** Runs a command inside the namespace, returns stdout. */
  exec(argv: string[]): string;
  delete(): void;
}

/** A fresh namespace `tcps-t-PID-N` with loopback up. */
export function makeNetns(): TestNetns {
  const name = `tcps-t-${process.pid}-${counter++}`;
  execFileSync('ip', ['netns', 'add', name]);
  const exec = (argv: string[]): string =>
    execFileSync('ip', ['netns', 'exec', name, ...argv], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  try {
    exec(['ip', 'link', 'set', 'lo', 'up']);
    exec(['sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=30']);
  } catch (e) {
    execFileSync('ip', ['netns', 'delete', name]);
    throw e;
  }
  return {
    name,
    exec,
    delete: () => {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {}
    },
  };
}

/** What the holder made: its ports, by role. */
export interface HolderReady {
  pid: number;
  ports: Record<string, number>;
}

export interface Holder extends HolderReady {
  stop(): void;
}

const HOLDER = fileURLToPath(new URL('./holder.js', import.meta.url));

/** Starts holder.js in the namespace with a list of states to make; resolves when they are made. */
export async function startHolder(ns: TestNetns, make: string[]): Promise<Holder> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns.name, process.execPath, HOLDER, ...make], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stop = (): void => {
    child.stdin?.end();
    child.kill('SIGTERM');
  };
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('holder: not ready after 20 s')), 20_000);
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  }).catch((e) => {
    stop();
    throw e;
  });
  const ready = JSON.parse(line) as HolderReady;
  return { ...ready, stop };
}
