/**
 * Private network namespaces for the lab and the tests: made with iproute2 (`ip netns add`), loopback
 * up, timers shortened with per-namespace sysctls, nftables rules of their own, commands run inside
 * with `ip netns exec` (argument arrays, never a shell string), and removed on every exit path
 * (see cleanup.ts). Nothing here touches the host's own network.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { UsageError } from '../errors.js';
import { type Disposable, track, untrack } from './cleanup.js';
import { killPids } from './kill.js';
import { type RunOptions, run, runSync } from './run.js';
import { ownPid } from './self.js';

/**
 * Sysctls a lab namespace starts with: every timer that keeps a held state alive lasts at least
 * ~25 s (long enough to look at it) and sends a bounded number of packets; ephemeral ports are kept
 * apart from the ports scenarios listen on (below 40000). Lifetimes measured on Linux 6.18 with
 * these values (ss once a second): FIN_WAIT1, CLOSING, LAST_ACK orphans 25 s; SYN_RECV requests
 * 30 s; SYN_SENT 34 s; orphaned FIN_WAIT2 28 s; TIME_WAIT 60 s (fixed, TCP_TIMEWAIT_LEN).
 */
export const LAB_SYSCTLS: Readonly<Record<string, string | number>> = {
  // SYN_SENT: 4 retries, plus the tcp_syn_linear_timeouts (4 by default on 6.x) 1 s retries before them:
  // 1+1+1+1+1+2+4+8+16 = 35 s, 9 SYNs (net/ipv4/tcp_timer.c tcp_write_timeout()); 31 s on older kernels.
  'net.ipv4.tcp_syn_retries': 4,
  // SYN_RECV request sockets: 1+2+4+8+16 = 31 s, 5 SYN-ACKs.
  'net.ipv4.tcp_synack_retries': 4,
  // Orphaned FIN_WAIT2 (held by a timewait socket) lasts this many seconds.
  'net.ipv4.tcp_fin_timeout': 30,
  'net.ipv4.tcp_keepalive_time': 60,
  // Orphans in FIN_WAIT1, CLOSING, LAST_ACK: 7 retransmissions from RTO 200 ms, about 25 s.
  'net.ipv4.tcp_orphan_retries': 6,
  'net.ipv4.ip_local_port_range': '40000 49999',
  // TIME_WAIT ignores RSTs (RFC 1337). Closing right after the peer's FIN, a server's ACK of that FIN
  // can leave after its own FIN and reach the peer's TIME_WAIT once the server socket is gone (seen
  // under load on 6.18: the ACK deferred while the socket was owned); the peer answers it, the
  // server's kernel sends an RST, and by default that RST ends the TIME_WAIT the lab means to show.
  'net.ipv4.tcp_rfc1337': 1,
};

export interface NetnsOptions {
  /** Sysctls set at creation; `LAB_SYSCTLS` by default, `{}` for the kernel's defaults. */
  sysctls?: Readonly<Record<string, string | number>>;
}

const PREFIX_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const SYSCTL_KEY_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
const MAX_NAME_TRIES = 100;
let counter = 0;

/** A live private network namespace, removed by `dispose()` or when the process ends. */
export class Netns implements Disposable {
  readonly #children = new Set<ChildProcess>();
  #disposing: Promise<void> | undefined;
  #gone = false;

  /** Use `createNetns`: the constructor does not create the namespace. */
  constructor(readonly name: string) {}

  /** Sets sysctls inside the namespace (`ip netns exec NAME sysctl -qw k=v ...`). */
  async sysctl(values: Readonly<Record<string, string | number>>): Promise<void> {
    const pairs = Object.entries(values).map(([k, v]) => {
      if (!SYSCTL_KEY_RE.test(k)) throw new UsageError(`sysctl: bad key ${JSON.stringify(k)}`);
      return `${k}=${v}`;
    });
    if (pairs.length) await this.exec(['sysctl', '-qw', ...pairs]);
  }

  /** Reads one sysctl inside the namespace, as text (tabs of multi-value ones as spaces). */
  async readSysctl(key: string): Promise<string> {
    if (!SYSCTL_KEY_RE.test(key)) throw new UsageError(`sysctl: bad key ${JSON.stringify(key)}`);
    return (await this.exec(['sysctl', '-n', key])).trim().replace(/\s+/g, ' ');
  }

  /** Loads an nftables ruleset (`nft -f -` syntax) into the namespace's own tables. */
  async nft(ruleset: string): Promise<void> {
    await this.exec(['nft', '-f', '-'], { input: ruleset });
  }

  /** Runs a program inside the namespace and resolves with its stdout. */
  async exec(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
    this.#alive();
    return await run(['ip', 'netns', 'exec', this.name, ...argv], opts);
  }

  /** Starts a long-running program inside the namespace; it is killed when the namespace is disposed. */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    this.#alive();
    const child = spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: 'pipe', ...opts });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    child.on('error', () => this.#children.delete(child));
    return child;
  }

  /** Pids of the processes living in the namespace (`ip netns pids`). */
  async pids(): Promise<number[]> {
    return parsePids(await run(['ip', 'netns', 'pids', this.name]));
  }

  /**
   * Leaves the namespace and what runs in it in place when this process ends (`tcpscope lab up`):
   * it is no longer removed on exit or on a signal, and its children are no longer ours to kill.
   * `dispose()` still removes it; otherwise `tcpscope lab down` does (see state.ts).
   */
  keep(): void {
    this.#children.clear();
    untrack(this);
  }

  /** Kills what runs inside and deletes the namespace. Idempotent; later calls await the first. */
  dispose(): Promise<void> {
    this.#disposing ??= this.#dispose();
    return this.#disposing;
  }

  /** The same, synchronously (exit and signal handlers): SIGKILL for what runs inside. */
  disposeSync(): void {
    if (this.#gone) return;
    this.#gone = true;
    for (const c of this.#children) c.kill('SIGKILL');
    killPids(safe(() => parsePids(runSync(['ip', 'netns', 'pids', this.name]))) ?? []);
    runSync(['ip', 'netns', 'del', this.name]);
    untrack(this);
  }

  async #dispose(): Promise<void> {
    if (this.#gone) return;
    await Promise.all([...this.#children].map((c) => stopChild(c, 2000)));
    // Whatever else runs inside was started by us through this namespace: end it by pid.
    killPids((await this.pids().catch(() => [])) ?? []);
    this.#gone = true;
    try {
      await run(['ip', 'netns', 'del', this.name]);
    } finally {
      untrack(this);
    }
  }

  #alive(): void {
    if (this.#gone || this.#disposing) throw new UsageError(`netns ${this.name}: already disposed`);
  }
}

/**
 * Creates `PREFIX-PID-N`, brings loopback up and sets the sysctls. The namespace is tracked from the
 * moment it exists, so a failure half-way still removes it.
 */
export async function createNetns(prefix: string, opts: NetnsOptions = {}): Promise<Netns> {
  if (!PREFIX_RE.test(prefix)) throw new UsageError(`netns: bad prefix ${JSON.stringify(prefix)}`);
  const ns = await addUnique(prefix);
  try {
    await run(['ip', '-n', ns.name, 'link', 'set', 'lo', 'up']);
    await ns.sysctl(opts.sysctls ?? LAB_SYSCTLS);
  } catch (e) {
    await ns.dispose().catch(() => {});
    throw e;
  }
  return ns;
}

/** Runs `fn` with a fresh namespace and removes the namespace afterwards, whatever happens. */
export async function withNetns<T>(
  prefix: string,
  fn: (ns: Netns) => Promise<T>,
  opts: NetnsOptions = {},
): Promise<T> {
  const ns = await createNetns(prefix, opts);
  try {
    return await fn(ns);
  } finally {
    await ns.dispose();
  }
}

/** The names `ip netns list` shows (first word of each line). */
export async function listNetns(): Promise<string[]> {
  const out = await run(['ip', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

async function addUnique(prefix: string): Promise<Netns> {
  for (let i = 0; i < MAX_NAME_TRIES; i++) {
    const ns = new Netns(`${prefix}-${ownPid()}-${counter++}`);
    try {
      await run(['ip', 'netns', 'add', ns.name]);
    } catch (e) {
      // A stale namespace of an earlier process with our pid: take the next number.
      if (/exists/i.test((e as Error).message)) continue;
      throw e;
    }
    track(ns);
    return ns;
  }
  throw new UsageError(`netns: no free name with prefix ${prefix} after ${MAX_NAME_TRIES} tries`);
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((w) => /^\d+$/.test(w))
    .map(Number);
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Closes stdin and sends SIGTERM; SIGKILL if the child is still there after `graceMs`. */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
