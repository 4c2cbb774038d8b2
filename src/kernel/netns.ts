/**
 * Network namespaces: which one a process is in, the names under /run/netns, and entering one.
 * Entering uses setns(2) on the main thread through koffi (loaded only then): procfs's /proc/self/net
 * and netlink sockets opened afterwards both belong to the namespace entered. Needs CAP_SYS_ADMIN.
 */
import { closeSync, openSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { EnvironmentError, fromErrno, PermissionError } from '../errors.js';
import type { NetnsRef } from '../tcp/socket.js';
import { loadKoffi } from './ffi.js';

export const NETNS_RUN_DIR = '/run/netns';
const CLONE_NEWNET = 0x40000000;

/** The net namespace inode of a process (`self` for ours), or undefined when it cannot be read. */
export function netnsInode(procRoot: string, pid: number | 'self'): number | undefined {
  try {
    const link = readlinkSync(`${procRoot}/${pid}/ns/net`);
    const m = /^net:\[(\d+)\]$/.exec(link);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Named namespaces (`ip netns add`): name → inode. */
export function namedNetns(runDir = NETNS_RUN_DIR): Map<string, number> {
  const names = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync(runDir);
  } catch {
    return names;
  }
  for (const name of entries) {
    try {
      names.set(name, statSync(`${runDir}/${name}`).ino);
    } catch {}
  }
  return names;
}

/**
 * A reference for a namespace inode, with its name when one of /run/netns points at it, and marked
 * `host` when it is PID 1's.
 */
export function netnsRef(inode: number, names: Map<string, number>, procRoot = '/proc'): NetnsRef {
  const ref: NetnsRef = { inode };
  for (const [name, ino] of names) {
    if (ino === inode) {
      ref.name = name;
      break;
    }
  }
  if (hostNetnsInode(procRoot) === inode) ref.host = true;
  return ref;
}

/**
 * The host's namespace: PID 1's, or kthreadd's (PID 2: kernel threads live in the initial namespace)
 * where PID 1's link cannot be read (a sandbox that denies it even to root).
 */
export function hostNetnsInode(procRoot = '/proc'): number | undefined {
  return netnsInode(procRoot, 1) ?? netnsInode(procRoot, 2);
}

/** Every namespace that some process is in: inode → one pid inside it. */
export function netnsByProcess(procRoot: string): Map<number, number> {
  const found = new Map<number, number>();
  for (const name of readdirSync(procRoot)) {
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    const ino = netnsInode(procRoot, Number(name));
    if (ino !== undefined && !found.has(ino)) found.set(ino, Number(name));
  }
  return found;
}

type Setns = (fd: number, nstype: number) => number;
let setnsFn: Setns | undefined;

async function loadSetns(): Promise<Setns> {
  if (!setnsFn) {
    const koffi = await loadKoffi();
    const libc = koffi.load('libc.so.6');
    setnsFn = libc.func('int setns(int fd, int nstype)') as Setns;
  }
  return setnsFn;
}

/** Loads what entering a namespace needs; call once before `inNetns` (which is synchronous). */
export async function prepareNetns(): Promise<void> {
  await loadSetns();
}

/**
 * Runs `fn` with this thread inside the namespace at `path` (a /run/netns file or /proc/PID/ns/net),
 * and comes back to the namespace it started in, whatever `fn` does.
 */
export function inNetns<T>(path: string, what: string, fn: () => T): T {
  if (!setnsFn) throw new EnvironmentError('inNetns: prepareNetns() was not awaited');
  const setns = setnsFn;
  let target: number;
  try {
    target = openSync(path, 'r');
  } catch (e) {
    throw fromErrno(e, `network namespace ${what}`);
  }
  const home = openSync('/proc/thread-self/ns/net', 'r');
  try {
    if (setns(target, CLONE_NEWNET) !== 0) {
      throw new PermissionError(`cannot enter network namespace ${what}: run as root (needs CAP_SYS_ADMIN)`);
    }
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // Staying in the wrong namespace would make every later read lie: that error wins.
    if (setns(home, CLONE_NEWNET) !== 0)
      throw new EnvironmentError('could not return to the original namespace');
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
