/**
 * Every network namespace's sockets in one snapshot (`--all-netns`): each distinct /proc/*\/ns/net
 * inode (read through one process inside it) plus the named namespaces under /run/netns that no
 * process is in. Each socket carries its namespace: inode, name, and the container or systemd unit
 * of a process inside. On container hosts this is where most sockets are. Sequencing only.
 */
import { processCgroup } from '../kernel/cgroup.js';
import { hostNetnsInode, NETNS_RUN_DIR, namedNetns, netnsByProcess } from '../kernel/netns.js';
import type { NetnsRef, Socket } from '../tcp/socket.js';
import { ALL_STATES } from '../tcp/state-names.js';
import { stateCode } from '../tcp/states.js';
import { attribute } from './attribute.js';
import type { NetnsTarget } from './source.js';
import {
  dedupe,
  keepYoungGenerationSmall,
  lookUpOwners,
  readWithListeners,
  type SnapshotOptions,
  type SnapshotWithIds,
} from './take.js';

const LISTEN_BIT = 1 << stateCode('LISTEN');

/** The namespaces to read: one target each, named and labelled. */
export function allNetnsTargets(procRoot: string, runDir = NETNS_RUN_DIR): NetnsTarget[] {
  const byProcess = netnsByProcess(procRoot);
  const names = namedNetns(runDir);
  const nameOf = new Map([...names].map(([name, inode]) => [inode, name]));
  const targets: NetnsTarget[] = [];
  const host = hostNetnsInode(procRoot);
  for (const [inode, pid] of [...byProcess].sort((a, b) => a[1] - b[1])) {
    const ref: NetnsRef = { inode };
    if (inode === host) ref.host = true;
    const name = nameOf.get(inode);
    if (name !== undefined) ref.name = name;
    Object.assign(ref, processCgroup(procRoot, pid));
    targets.push({ path: `${procRoot}/${pid}/ns/net`, pid, what: `${inode} (pid ${pid})`, netns: ref });
  }
  for (const [name, inode] of names) {
    if (byProcess.has(inode)) continue;
    targets.push({ path: `${runDir}/${name}`, what: `'${name}'`, netns: { inode, name } });
  }
  return targets;
}

/** Reads every namespace; one that cannot be read is a warning, not a failure. */
export async function takeAllNetns(opts: SnapshotOptions = {}): Promise<SnapshotWithIds> {
  keepYoungGenerationSmall();
  const procRoot = opts.procRoot ?? '/proc';
  const wanted = opts.stateMask ?? ALL_STATES;
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const groups: Socket[][] = [];
  const namespaces: NetnsRef[] = [];
  const warnings = new Set<string>();
  let malformed = 0;
  let interrupted = false;
  let source: 'netlink' | 'procfs' = 'procfs';
  for (const target of allNetnsTargets(procRoot)) {
    try {
      const read = await readWithListeners(target, opts);
      for (const w of read.warnings) warnings.add(w);
      if (read.source === 'netlink') source = 'netlink';
      malformed += read.malformed;
      if (read.interrupted) interrupted = true;
      const sockets = dedupe(read.sockets);
      for (const s of sockets) s.netns = target.netns!;
      groups.push(sockets);
      namespaces.push(target.netns!);
    } catch (e) {
      warnings.add(`network namespace ${target.what}: ${(e as Error).message}`);
    }
  }
  const snap: SnapshotWithIds = { time, source, sockets: groups.flat(), namespaces };
  if (malformed > 0) snap.malformed = malformed;
  if (interrupted) snap.interrupted = true;
  if (opts.owners) lookUpOwners(snap, procRoot, opts.cmdline ?? false);
  // Listeners are per namespace: attribute each namespace on its own.
  for (const g of groups) attribute(g);
  if ((wanted & LISTEN_BIT) === 0) snap.sockets = snap.sockets.filter((s) => s.state !== 'LISTEN');
  if (warnings.size > 0) snap.warnings = [...warnings];
  return snap;
}
