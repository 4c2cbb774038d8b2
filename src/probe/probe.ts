/**
 * The long-lived probe: what a reader that samples again and again (the agent, a server, the
 * recorder, the terminal view) opens once and reuses: the namespace resolved once, one sock_diag
 * socket kept open in it (opened on the first netlink read, replaced only after a failed one), the
 * counter source, and an injected clock that stamps every reading. The one-shot commands read
 * through the same functions without it (they open and close per call); the output is the same.
 *
 * ```ts
 * const probe = await openProbe({ netns: 'blue' });   // or { netnsPid }, or our own namespace
 * try {
 *   const snap = await probe.snapshot({ owners: true }); // takeSnapshot's options, less the place
 *   const { total, states } = await probe.counts();      // count's fast path, no socket records
 *   const sample = probe.counters();                     // /proc/net/snmp, netstat, sockstat
 *   const listening = await probe.listeners();           // LISTEN only, owners by default
 *   const doctorInput = await gather({ probe, windowSeconds: 0, config, lang: 'en' });
 * } finally {
 *   await probe.close();
 * }
 * ```
 *
 * Reads may overlap: each netlink read waits for its turn on the socket. `readOptions` is what the
 * snapshot readers take (`takeSnapshot`, `selectSockets`, `streamSocketsJson`, `takeSummary`), so
 * anything they can read, they can read through the probe.
 */
import { UsageError } from '../errors.js';
import type { CounterSample } from '../kernel/counters-types.js';
import type { LeanTable } from '../kernel/netlink/lean.js';
import type { WideColumns } from '../kernel/netlink/wide.js';
import type { CountResult } from '../snapshot/aggregate.js';
import type { FilterSpec } from '../snapshot/filter.js';
import { selectSockets } from '../snapshot/select.js';
import {
  type NetnsTarget,
  openDiagSocket,
  readLeanTable,
  readWideTable,
  resolveTarget,
  type SourceChoice,
} from '../snapshot/source.js';
import {
  countStatesFast,
  type SnapshotOptions,
  type SnapshotWithIds,
  tableRequest,
  takeSnapshot,
} from '../snapshot/take.js';
import { type Clock, systemClock } from '../stats/clock.js';
import { type CounterSource, openCounterSource } from '../stats/source.js';
import type { NetnsRef } from '../tcp/socket.js';
import { ALL_STATES, maskOf } from '../tcp/state-names.js';
import { KeptSocket } from './kept-socket.js';

export interface ProbeOptions {
  /** The proc mount; `/proc` by default. */
  procRoot?: string;
  /** A namespace named under /run/netns (`ip netns add NAME`). */
  netns?: string;
  /** The namespace of this process. */
  netnsPid?: number;
  /** netlink, procfs, or `auto` (the default): netlink, else procfs with a warning. */
  source?: SourceChoice;
  /** The clock that stamps readings (tests inject one); the system's by default. */
  clock?: Clock;
}

/** What the snapshot readers take to read through a probe: the place, resolved, and the clock. */
export interface ProbeReadOptions {
  procRoot: string;
  source: SourceChoice;
  netns?: string;
  netnsPid?: number;
  target: NetnsTarget;
  now: () => Date;
}

/** takeSnapshot's options less the place, which is the probe's. */
export type ProbeSnapshotOptions = Omit<
  SnapshotOptions,
  'procRoot' | 'source' | 'netns' | 'netnsPid' | 'target' | 'now' | 'allNetns'
>;

/** Per-state counts with what was skipped on the way. */
export interface ProbeCounts extends CountResult {
  malformed: number;
  warnings: string[];
}

export interface Probe {
  /** The namespace read (its inode, and its name when it has one), when it could be told. */
  readonly netns?: NetnsRef;
  readonly clock: Clock;
  /** Spread into the snapshot readers' options to read through this probe. */
  readonly readOptions: ProbeReadOptions;
  /** The counter source, opened once (`within` runs code inside the namespace, for sysctls). */
  readonly counterSource: CounterSource;
  /** One snapshot of the table (owners, tcp_info, states, filters as takeSnapshot takes them). */
  snapshot(opts?: ProbeSnapshotOptions): Promise<SnapshotWithIds>;
  /** A snapshot narrowed by the `ls` filters (selectSockets). */
  select(spec: FilterSpec, opts?: ProbeSnapshotOptions): Promise<SnapshotWithIds>;
  /** Sockets per state without building socket records (count's fast path). */
  counts(opts?: Pick<SnapshotOptions, 'stateMask' | 'families'>): Promise<ProbeCounts>;
  /**
   * The table as columns (state, family, local port, inode), no socket records made: for readers
   * that only count. Undefined when the probe does not read with netlink.
   */
  lean(): Promise<LeanTable | undefined>;
  /**
   * The table as wide columns (netlink), into `into` when given; undefined where netlink is not
   * what this probe reads.
   */
  wide(into?: WideColumns): Promise<WideColumns | undefined>;
  /** The counters once: /proc/net/snmp, snmp6, netstat, sockstat. */
  counters(): CounterSample;
  /** The listening sockets, with their owners unless `owners: false`. */
  listeners(opts?: { owners?: boolean }): Promise<SnapshotWithIds>;
  /** Sockets opened so far: 1 while every netlink read succeeded (0 before the first). */
  readonly socketsOpened: number;
  /** Closes the socket once the reads already started are done; the probe is unusable afterwards. */
  close(): Promise<void>;
}

const LISTEN = maskOf('LISTEN');

/** Resolves the namespace and opens the counter source; the sock_diag socket opens on first use. */
export async function openProbe(opts: ProbeOptions = {}): Promise<Probe> {
  if (opts.netns !== undefined && opts.netnsPid !== undefined)
    throw new UsageError('--netns and --netns-pid exclude each other');
  const procRoot = opts.procRoot ?? '/proc';
  const clock = opts.clock ?? systemClock;
  const resolved = resolveTarget(opts, procRoot);
  const kept = new KeptSocket(() => openDiagSocket(resolved));
  const target: NetnsTarget = { ...resolved, diag: kept };
  const place = {
    procRoot,
    ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
    ...(opts.netnsPid !== undefined ? { netnsPid: opts.netnsPid } : {}),
  };
  const counterSource = await openCounterSource({ ...place, target });
  const readOptions: ProbeReadOptions = {
    ...place,
    source: opts.source ?? 'auto',
    target,
    now: () => clock.wall(),
  };
  let closed = false;
  const live = (): void => {
    if (closed) throw new Error('probe: used after close()');
  };
  return {
    ...(resolved.netns ? { netns: resolved.netns } : {}),
    clock,
    readOptions,
    counterSource,
    async snapshot(o = {}) {
      live();
      return takeSnapshot({ ...o, ...readOptions });
    },
    async select(spec, o = {}) {
      live();
      return selectSockets({ ...o, ...readOptions }, spec);
    },
    async counts(o = {}) {
      live();
      // Defined whenever no kernel filter is asked for, and these options carry none.
      return (await countStatesFast({ ...o, ...readOptions }))!;
    },
    async lean() {
      live();
      return readLeanTable(target, tableRequest(readOptions, ALL_STATES));
    },
    async wide(into) {
      live();
      return readWideTable(target, tableRequest(readOptions, ALL_STATES), into);
    },
    counters() {
      live();
      return counterSource.read();
    },
    async listeners(o = {}) {
      live();
      return takeSnapshot({ ...readOptions, stateMask: LISTEN, owners: o.owners ?? true });
    },
    get socketsOpened() {
      return kept.opened;
    },
    async close() {
      closed = true;
      await kept.close();
    },
  };
}
