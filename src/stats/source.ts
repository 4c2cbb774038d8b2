/**
 * Where counters are read from: our own network namespace, another process's (/proc/PID/net), or a
 * named one (`ip netns add NAME`), entered with setns for each read because a namespace without a
 * process has no /proc/PID/net. The same choice as `ls --netns`, for the counter readers.
 */
import { UsageError } from '../errors.js';
import { type CounterReadOptions, readCounters } from '../kernel/counters.js';
import type { CounterSample } from '../kernel/counters-types.js';
import { inNetns, netnsInode, prepareNetns } from '../kernel/netns.js';
import { type NetnsTarget, resolveTarget, type SourceChoice } from '../snapshot/source.js';
import { countStatesFast } from '../snapshot/take.js';
import type { NetnsRef } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';

export interface CounterSourceOptions {
  /** The proc mount; `/proc` by default. */
  procRoot?: string;
  /** A namespace named under /run/netns (needs root). */
  netns?: string;
  /** The namespace of this process. */
  netnsPid?: number;
  /** `sample` also counts sockets per state (the socket table's one counter, netlink or procfs). */
  states?: boolean;
  /** Where `sample` counts the sockets per state from (`--source`). */
  source?: SourceChoice;
  /** The namespace already resolved (a probe's): `netns` and `netnsPid` are not resolved again. */
  target?: NetnsTarget;
}

export interface CounterSource {
  /** The namespace read, when it could be told. */
  netns?: NetnsRef;
  /** Reads the counter files once. */
  read(): CounterSample;
  /** Reads the counter files, and the sockets per state when the source was opened with `states`. */
  sample(): Promise<CounterSample>;
  /** Runs `fn` inside the namespace (for /proc/sys/net, which follows the reading thread's namespace). */
  within<T>(fn: () => T): T;
}

/** Resolves the namespace once (as `ls --netns` does); the returned source reads it as often as asked. */
export async function openCounterSource(opts: CounterSourceOptions = {}): Promise<CounterSource> {
  const procRoot = opts.procRoot ?? '/proc';
  const readOpts: CounterReadOptions = { procRoot };
  if (opts.netns !== undefined && opts.netnsPid !== undefined) {
    throw new UsageError('--netns and --netns-pid exclude each other');
  }
  const target = opts.target ?? resolveTarget(opts, procRoot);
  const source = await countersIn(target, readOpts);
  if (!opts.states) return { ...source, sample: async () => source.read() };
  const where = {
    procRoot,
    // procfs unless asked otherwise: a netlink socket counts in sockstat's `sockets: used` (SOCK's
    // totsck) until the kernel frees it after an RCU grace period, so it would show in the next sample.
    source: opts.source ?? 'procfs',
    ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
    ...(opts.netnsPid !== undefined ? { netnsPid: opts.netnsPid } : {}),
    target,
  };
  return {
    ...source,
    sample: async () => {
      const sample = source.read();
      const counted = await countStatesFast(where);
      if (counted) {
        sample.states = Object.fromEntries(TCP_STATES.map((s) => [s, counted.states[s] ?? 0])) as Record<
          TcpState,
          number
        >;
        sample.malformed += counted.malformed;
        if (counted.warnings.length > 0) sample.warnings = [...(sample.warnings ?? []), ...counted.warnings];
      }
      return sample;
    },
  };
}

/** The counter files of the target namespace, read through /proc/PID/net or by entering it. */
async function countersIn(
  target: NetnsTarget,
  readOpts: CounterReadOptions,
): Promise<Omit<CounterSource, 'sample'>> {
  const procRoot = readOpts.procRoot ?? '/proc';
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

/** Where to read, as the readers take it: the proc mount (`/proc` by default) and the namespace, when one is named. */
export function placeOf(o: { procRoot?: string; netns?: string; netnsPid?: number }): {
  procRoot: string;
  netns?: string;
  netnsPid?: number;
} {
  return {
    procRoot: o.procRoot ?? '/proc',
    ...(o.netns !== undefined ? { netns: o.netns } : {}),
    ...(o.netnsPid !== undefined ? { netnsPid: o.netnsPid } : {}),
  };
}
