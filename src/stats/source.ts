/**
 * Where counters are read from: our own network namespace, another process's (/proc/PID/net), or a
 * named one (`ip netns add NAME`), entered with setns for each read because a namespace without a
 * process has no /proc/PID/net. The same choice as `ls --netns`, for the counter readers.
 */
import { UsageError } from '../errors.js';
import { type CounterReadOptions, readCounters } from '../kernel/counters.js';
import type { CounterSample } from '../kernel/counters-types.js';
import { inNetns, netnsInode, prepareNetns } from '../kernel/netns.js';
import { resolveTarget } from '../snapshot/source.js';
import type { NetnsRef } from '../tcp/socket.js';

export interface CounterSourceOptions {
  /** The proc mount; `/proc` by default. */
  procRoot?: string;
  /** A namespace named under /run/netns (needs root). */
  netns?: string;
  /** The namespace of this process. */
  netnsPid?: number;
  /** Also count sockets per state on each read. */
  states?: boolean;
}

export interface CounterSource {
  /** The namespace read, when it could be told. */
  netns?: NetnsRef;
  /** Reads one sample. */
  read(): CounterSample;
  /** Runs `fn` inside the namespace (for /proc/sys/net, which follows the reading thread's namespace). */
  within<T>(fn: () => T): T;
}

/** Resolves the namespace once (as `ls --netns` does); the returned source reads it as often as asked. */
export async function openCounterSource(opts: CounterSourceOptions = {}): Promise<CounterSource> {
  const procRoot = opts.procRoot ?? '/proc';
  const readOpts: CounterReadOptions = { procRoot, states: opts.states ?? false };
  if (opts.netns !== undefined && opts.netnsPid !== undefined) {
    throw new UsageError('--netns and --netns-pid exclude each other');
  }
  const target = resolveTarget(opts, procRoot);
  const named = target.netns ? { netns: target.netns } : {};
  const { path, pid } = target;
  if (path === undefined) return { ...named, read: () => readCounters(readOpts), within: (fn) => fn() };
  const within = <T>(fn: () => T): T => inNetns(path, target.what ?? path, fn);
  if (pid !== undefined) {
    // /proc/PID/net reads the counters; entering is only for `within` (sysctls): load setns lazily.
    await prepareNetns().catch(() => undefined);
    const ours = target.netns?.inode === netnsInode(procRoot, 'self');
    return {
      ...named,
      read: () => readCounters({ ...readOpts, pid }),
      within: (fn) => (ours ? fn() : within(fn)),
    };
  }
  await prepareNetns();
  return { ...named, within, read: () => within(() => readCounters(readOpts)) };
}
