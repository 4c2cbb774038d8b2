/**
 * `ss -s`: the kernel's socket totals (/proc/net/sockstat, sockstat6, and Tcp CurrEstab from
 * /proc/net/snmp, read by the counter reader) with the TCP table's counts per state. Sequencing;
 * the arithmetic is ss's, in `ssTcpLine`.
 */
import { readCounters } from '../kernel/counters.js';
import type { CounterTables } from '../kernel/counters-types.js';
import { netnsInode } from '../kernel/netns.js';
import type { NetnsRef } from '../tcp/socket.js';
import type { StateCounts } from './aggregate.js';
import { inProcfs } from './source.js';
import { countStatesFast, type SnapshotOptions, targetOf } from './take.js';

/** ss -s's `TCP:` line, with ss's definitions (iproute2 misc/ss.c print_summary()). */
export interface SsTcpLine {
  /** sockstat TCP `alloc` + `tw`: every TCP socket allocated, plus timewait sockets. */
  total: number;
  /** Tcp CurrEstab (/proc/net/snmp): ESTABLISHED and CLOSE_WAIT. */
  estab: number;
  /** `alloc` - (TCP `inuse` + TCP6 `inuse` - `tw`): allocated but not in the hash tables. */
  closed: number;
  /** sockstat TCP `orphan`. */
  orphaned: number;
  /** sockstat TCP `tw`. */
  timewait: number;
}

/** What `ls --summary --json` prints (docs/json.md). */
export interface Summary {
  time: string;
  netns?: NetnsRef;
  /** sockstat's and sockstat6's lines, keys as the kernel prints them (`TCP: inuse orphan tw alloc mem`). */
  sockstat: CounterTables;
  /** ss -s's `TCP:` line. */
  tcp: SsTcpLine;
  /**
   * The sockstat figures that are the host's, not the namespace's (`TCP.orphan`, `TCP.alloc`,
   * `TCP.mem`, `UDP.mem`): present when the namespace read is not the host's.
   */
  hostWide?: string[];
  /** TCP sockets in the table (the sum of `states`). */
  total: number;
  /** TCP sockets per state, counted in the table. */
  states: StateCounts;
}

/**
 * sockstat's figures that the kernel keeps for the whole host (net/ipv4/proc.c sockstat_seq_show():
 * tcp_orphan_count_sum(), proto_sockets_allocated(), proto_memory_allocated() take no namespace).
 */
export const HOST_WIDE_SOCKSTAT: readonly string[] = ['TCP.orphan', 'TCP.alloc', 'TCP.mem', 'UDP.mem'];

/** ss -s's arithmetic over sockstat and CurrEstab (pure). */
export function ssTcpLine(sockstat: CounterTables, currEstab: number): SsTcpLine {
  const get = (table: string, key: string): number => sockstat[table]?.[key] ?? 0;
  const alloc = get('TCP', 'alloc');
  const tw = get('TCP', 'tw');
  return {
    total: alloc + tw,
    estab: currEstab,
    closed: alloc - (get('TCP', 'inuse') + get('TCP6', 'inuse') - tw),
    orphaned: get('TCP', 'orphan'),
    timewait: tw,
  };
}

/**
 * The host's network namespace: pid 1's, or when that cannot be read (a container's view of /proc)
 * the inode Linux gives init_net (PROC_NET_INIT_INO, include/linux/proc_ns.h).
 */
function hostNetnsInode(procRoot: string): number {
  return netnsInode(procRoot, 1) ?? 0xeffffff9;
}

/** The summary of a namespace's sockets. */
export async function takeSummary(opts: SnapshotOptions = {}): Promise<Summary & { warnings: string[] }> {
  const procRoot = opts.procRoot ?? '/proc';
  const time = (opts.now ?? (() => new Date()))().toISOString();
  const target = targetOf(opts, procRoot);
  const sample = await inProcfs(target, (where) =>
    readCounters(where.pid === undefined ? { procRoot } : { procRoot, pid: where.pid }),
  );
  const counts = await countStatesFast(opts);
  const s: Summary & { warnings: string[] } = {
    time,
    sockstat: sample.sockstat,
    tcp: ssTcpLine(sample.sockstat, sample.counters['TcpCurrEstab'] ?? 0),
    total: counts?.total ?? 0,
    states: counts?.states ?? {},
    warnings: [...(sample.warnings ?? []), ...(counts?.warnings ?? [])],
  };
  if (target.netns) s.netns = target.netns;
  if (target.netns && target.netns.inode !== hostNetnsInode(procRoot)) s.hostWide = [...HOST_WIDE_SOCKSTAT];
  return s;
}
