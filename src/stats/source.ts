/**
 * Where counters are read from: our own network namespace, another process's (/proc/PID/net), or a
 * named one (`ip netns add NAME`), entered with setns for each read because a namespace without a
 * process has no /proc/PID/net. The same choice as `ls --netns`, for the counter readers.
 */
import { statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { type CounterReadOptions, readCounters } from '../kernel/counters.js';
import type { CounterSample } from '../kernel/counters-types.js';
import { inNetns, NETNS_RUN_DIR, namedNetns, netnsInode, netnsRef, prepareNetns } from '../kernel/netns.js';
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

/** Resolves the namespace once; the returned source reads it as often as asked. */
export async function openCounterSource(opts: CounterSourceOptions = {}): Promise<CounterSource> {
  const procRoot = opts.procRoot ?? '/proc';
  const readOpts: CounterReadOptions = { procRoot, states: opts.states ?? false };
  if (opts.netns !== undefined && opts.netnsPid !== undefined) {
    throw new UsageError('--netns and --netns-pid exclude each other');
  }
  if (opts.netns !== undefined) {
    const name = opts.netns;
    if (name.includes('/') || name.startsWith('.') || name === '') {
      throw new UsageError(`--netns: bad namespace name '${name}'`);
    }
    const path = `${NETNS_RUN_DIR}/${name}`;
    let inode: number;
    try {
      inode = statSync(path).ino;
    } catch {
      throw new UsageError(`--netns: no network namespace '${name}' (see: ip netns list)`);
    }
    await prepareNetns();
    const within = <T>(fn: () => T): T => inNetns(path, `'${name}'`, fn);
    return { netns: { inode, name }, within, read: () => within(() => readCounters(readOpts)) };
  }
  if (opts.netnsPid !== undefined) {
    const pid = opts.netnsPid;
    const path = `${procRoot}/${pid}/ns/net`;
    const inode = netnsInode(procRoot, pid);
    if (inode === undefined)
      throw new UsageError(`--netns-pid: no process ${pid} (or its namespace is unreadable)`);
    const source: CounterSource = {
      netns: netnsRef(inode, namedNetns()),
      read: () => readCounters({ ...readOpts, pid }),
      within: <T>(fn: () => T): T => {
        if (inode === netnsInode(procRoot, 'self')) return fn();
        return inNetns(path, `of process ${pid}`, fn);
      },
    };
    // Entering is only needed for `within` (sysctls); load setns lazily, ignoring its absence here.
    await prepareNetns().catch(() => undefined);
    return source;
  }
  const inode = netnsInode(procRoot, 'self');
  const source: CounterSource = { read: () => readCounters(readOpts), within: (fn) => fn() };
  if (inode !== undefined) source.netns = netnsRef(inode, namedNetns());
  return source;
}
