/**
 * `ss -s`: the kernel's socket totals (/proc/net/sockstat, sockstat6) with the TCP table's counts per
 * state. Sequencing only.
 */
import type { Sockstat } from '../kernel/parse-sockstat.js';
import { readSockstat } from '../kernel/sockstat.js';
import type { NetnsRef } from '../tcp/socket.js';
import type { StateCounts } from './aggregate.js';
import { inProcfs, resolveTarget } from './source.js';
import { countStatesFast, type SnapshotOptions } from './take.js';

export interface Summary {
  time: string;
  netns?: NetnsRef;
  /** sockstat's and sockstat6's lines, keys as the kernel prints them (`TCP: inuse orphan tw alloc mem`). */
  sockstat: Sockstat;
  total: number;
  states: StateCounts;
}

/** The summary of a namespace's sockets. */
export async function takeSummary(opts: SnapshotOptions = {}): Promise<Summary & { warnings: string[] }> {
  const procRoot = opts.procRoot ?? '/proc';
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const target = resolveTarget(opts, procRoot);
  const sockstat = await inProcfs(target, (where) => readSockstat(procRoot, where.pid));
  const counts = await countStatesFast(opts);
  const s: Summary & { warnings: string[] } = {
    time,
    sockstat,
    total: counts?.total ?? 0,
    states: counts?.states ?? {},
    warnings: counts?.warnings ?? [],
  };
  if (target.netns) s.netns = target.netns;
  return s;
}
