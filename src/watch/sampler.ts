/**
 * The readings of `tcpscope watch`: every refresh the socket table (owners looked up every few
 * refreshes and carried by inode in between, since the /proc scan costs more than the dump), the
 * counters as rates since the last refresh (the counter source opened once), the doctor's rules over
 * the last two tables every few refreshes, and the transitions traced since the last refresh when
 * tracefs can be used (host-wide events kept to the sockets of the table watched).
 */
import { buildConfig } from '../doctor/config.js';
import { diagnose } from '../doctor/diagnose.js';
import { inputFor } from '../doctor/gather.js';
import { explainPathOf } from '../doctor/sources.js';
import { keptForComparison, windowOf } from '../doctor/window.js';
import { WideColumns } from '../kernel/netlink/wide.js';
import { formatEndpoint } from '../net/endpoint.js';
import { ownerCarry } from '../probe/owner-carry.js';
import { openProbe } from '../probe/probe.js';
import type { SourceChoice } from '../snapshot/source.js';
import { intervalBetween, type Reading } from '../stats/sampler.js';
import { placeOf } from '../stats/source.js';
import type { Snapshot } from '../tcp/socket.js';
import { openTransitions, type TransitionStream } from '../trace/stream.js';
import type { TraceTransition } from '../trace/types.js';
import type { WatchFinding, WatchSample, WatchTransition } from './model.js';
import { tableOf, type WatchTable } from './table.js';

export interface WatchSamplerOptions {
  procRoot?: string;
  /** How the socket table is read (auto: netlink, else /proc/net/tcp). */
  source?: SourceChoice;
  netns?: string;
  netnsPid?: number;
  /** Look owners up every this many refreshes (1: every time). */
  ownersEvery?: number;
  /** Read the owners' command lines too (as `ls` does), when owners are looked up. */
  cmdline?: boolean;
  /**
   * Columns: an owner lookup waits this many times what the last one cost (100: at most 1% of a
   * core on the /proc scan); 0 looks owners up whenever a socket's owner is unknown.
   */
  ownersCostRatio?: number;
  /** Run the doctor every this many refreshes. */
  doctorEvery?: number;
  /** Follow transitions with tracefs (root). */
  trace?: boolean;
  /** The refresh interval, ms: quiet trace rings are read about this often (at most every second). */
  intervalMs?: number;
  lang?: 'en' | 'zh';
  /**
   * Read the table as columns (the live view): no socket records but at owner lookups and doctor
   * runs. An owner lookup waits until the table shows a socket whose owner no lookup has seen (a
   * connection born since), or a minute of refreshes, and until 100 times its own cost has passed
   * (at 100,000 sockets the /proc scan takes about a second of CPU), so it stays under 1% of a core.
   * The doctor waits 100 times its own cost (1%). Samples then carry `table` and `ownersOf`, not
   * `sockets` and `snapshot`.
   */
  columns?: boolean;
}

export interface WatchSampler {
  next(): Promise<WatchSample>;
  close(): Promise<void>;
  /** The namespace read, as a name for the title. */
  readonly where: string;
}

const RATES = [
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpAttemptFails',
  'TcpEstabResets',
  'TcpRetransSegs',
  'TcpExtListenOverflows',
  'TcpExtSyncookiesSent',
];

const tupleKey = (l: { address: string; port: number }, r: { address: string; port: number }): string =>
  `${l.address} ${l.port} ${r.address} ${r.port}`;

export async function openWatchSampler(o: WatchSamplerOptions): Promise<WatchSampler> {
  const where = placeOf(o);
  const procRoot = where.procRoot;
  const probe = await openProbe({ ...where, ...(o.source !== undefined ? { source: o.source } : {}) });
  const carry = ownerCarry(o.ownersEvery ?? 1);
  const doctorEvery = Math.max(1, o.doctorEvery ?? 10);
  const { config } = buildConfig(undefined, []);
  let n = 0;
  let previous: Snapshot | undefined;
  let lastReading: Reading | undefined;
  let findings: WatchFinding[] | undefined;
  let doctor: WatchSample['doctor'];

  // The transition stream, read in the background into a bounded queue.
  const abort = new AbortController();
  let stream: TransitionStream | undefined;
  let unavailable: string | undefined;
  const pending: TraceTransition[] = [];
  let reader: Promise<void> = Promise.resolve();
  if (o.trace !== false) {
    try {
      // The view takes transitions once a refresh: quiet rings need no more reads than that (a
      // busy ring is read at once, whatever this says).
      const pollMs = Math.min(1000, Math.max(50, o.intervalMs ?? 1000));
      stream = await openTransitions({
        signal: abort.signal,
        purpose: 'watch',
        owners: false,
        procRoot,
        pollMs,
      });
      const s = stream;
      reader = (async () => {
        for await (const batch of s.batches())
          for (const item of batch) {
            if (item.kind !== 'transition') continue;
            pending.push(item);
            if (pending.length > 10_000) pending.splice(0, pending.length - 5_000);
          }
      })().catch(() => undefined);
    } catch (e) {
      unavailable = (e as Error).message;
    }
  } else unavailable = 'not traced (--no-trace)';

  // Columns: owners looked up every `ownersEvery` refreshes at most, no sooner than 100 times what
  // the last lookup cost (at most 1% of a core on the /proc scan), and only when the last table
  // holds a socket whose owner is unknown (its inode neither owned nor ownerless at the last lookup)
  // or a minute of refreshes has passed (a socket's owner may change: fds are passed and inherited).
  let sinceOwners = Number.POSITIVE_INFINITY;
  let ownersAt = 0;
  let ownersCost = 0;
  let ownersVersion = 0;
  /** Inodes the last lookup found no process for (other users' without root, hidden by /proc). */
  let ownerless = new Set<number>();
  let unknownOwners = true;
  let lastDoctor = Number.NEGATIVE_INFINITY;
  let doctorAt = 0;
  let doctorCost = 0;
  const buffers = [new WideColumns(), new WideColumns()];
  const ownersDue = (): boolean =>
    sinceOwners >= Math.max(1, o.ownersEvery ?? 1) &&
    performance.now() - ownersAt >= (o.ownersCostRatio ?? 100) * ownersCost &&
    (unknownOwners || sinceOwners >= 60);
  /** Whether `t` holds a socket with an inode whose owner no lookup has seen. */
  const hasUnknownOwner = (t: WatchTable): boolean => {
    for (let i = 0; i < t.n; i++) {
      const ino = t.inode[i]!;
      if (ino !== 0 && carry.ownersOf(ino) === undefined && !ownerless.has(ino)) return true;
    }
    return false;
  };

  const sample = async (): Promise<WatchSample> => {
    const columns = o.columns === true;
    const withOwners = columns ? ownersDue() : carry.due();
    n++;
    sinceOwners++;
    // Columns: the doctor every `doctorEvery` refreshes at most, and no sooner than 100 times what its
    // last run cost; records: every `doctorEvery` readings, at owner lookups.
    const doctorDue = columns
      ? n - lastDoctor >= doctorEvery && performance.now() - doctorAt >= 100 * doctorCost
      : withOwners && (n - 1) % doctorEvery === 0;
    let snapshot: Snapshot | undefined;
    let table: WatchTable | undefined;
    const t0 = performance.now();
    if (withOwners || doctorDue || !columns) {
      snapshot = await probe.snapshot({ owners: withOwners, cmdline: withOwners && o.cmdline === true });
      carry.apply(snapshot.sockets, withOwners);
      if (withOwners) {
        sinceOwners = 0;
        ownersAt = performance.now();
        ownersCost = ownersAt - t0;
        ownersVersion++;
        ownerless = new Set();
        for (const s of snapshot.sockets) if (s.inode !== 0 && !s.owners?.length) ownerless.add(s.inode);
      }
    }
    if (columns) {
      // Two sets of columns in turn: the view still holds the last reading's while this one is read.
      const into = buffers[n % 2]!;
      table = await probe.wide(into);
      if (!table) {
        // Not netlink (procfs): records it is.
        snapshot ??= await probe.snapshot({ owners: false });
        if (!withOwners) carry.apply(snapshot.sockets, false);
        table = tableOf(snapshot.sockets);
      }
      unknownOwners = hasUnknownOwner(table);
    }
    const reading: Reading = { sample: probe.counters(), time: probe.clock.wall(), mono: performance.now() };
    let rates: Record<string, number> | undefined;
    if (lastReading) {
      const iv = intervalBetween(lastReading, reading);
      rates = Object.fromEntries(RATES.map((k) => [k, (iv.delta[k] ?? 0) / Math.max(iv.seconds, 0.001)]));
    }
    if (snapshot && doctorDue) {
      lastDoctor = n;
      try {
        const input = await inputFor(snapshot, { probe, config, lang: o.lang ?? 'en' });
        if (previous && lastReading) {
          input.window = windowOf([previous, snapshot]);
          input.interval = intervalBetween(lastReading, reading);
        }
        const diagnosis = diagnose(input);
        doctor = { input, diagnosis, config };
        findings = diagnosis.findings.map((f) => {
          const explain = explainPathOf(f.rule);
          return { rule: f.rule, severity: f.severity, title: f.title, ...(explain ? { explain } : {}) };
        });
      } catch {
        // The doctor is extra here: a failure keeps the last findings.
      }
      doctorAt = performance.now();
      doctorCost = doctorAt - t0 - (withOwners ? ownersCost : 0);
    }
    lastReading = reading;
    // Only what the doctor's next window compares with.
    if (snapshot) previous = keptForComparison(snapshot);
    // Every field in one literal, in one order: samples keep one shape, so the code that reads them
    // stays optimized (a field added to some samples only makes V8 compile it again and again).
    const out: WatchSample = {
      time: reading.time.getTime(),
      table: columns ? table : undefined,
      ownersOf: columns ? carry.ownersOf : undefined,
      ownersVersion: columns ? ownersVersion : undefined,
      sockets: !columns && snapshot ? snapshot.sockets : undefined,
      rates,
      findings,
      transitions: undefined,
      transitionsUnavailable: unavailable,
      snapshot: !columns ? snapshot : undefined,
      counters: reading.sample.counters,
      doctor,
    };
    if (unavailable === undefined) {
      const foreign = o.netns !== undefined || o.netnsPid !== undefined;
      const taken = pending.splice(0, pending.length);
      // Kept to the namespace's sockets: by 4-tuple from records; by local port from columns.
      const known = new Set<string>();
      const ports = new Uint8Array(foreign && table && taken.length > 0 ? 65536 : 0);
      if (foreign && taken.length > 0) {
        if (table) for (let i = 0; i < table.n; i++) ports[table.lport[i]!] = 1;
        else if (snapshot) for (const s of snapshot.sockets) known.add(tupleKey(s.local, s.remote));
      }
      const inTable = (t: TraceTransition): boolean =>
        table ? ports[t.local.port] === 1 : known.has(tupleKey(t.local, t.remote));
      out.transitions = taken
        .filter((t) => !foreign || inTable(t))
        .slice(-50)
        .map(
          (t): WatchTransition => ({
            time: t.timeMs,
            from: t.from,
            to: t.to,
            local: formatEndpoint(t.local.address, t.local.port),
            remote: formatEndpoint(t.remote.address, t.remote.port),
            ...(t.owner?.command ? { process: t.owner.command } : {}),
          }),
        );
    }
    return out;
  };

  return {
    where: o.netns ?? (o.netnsPid !== undefined ? `netns of pid ${o.netnsPid}` : 'this host'),
    next: sample,
    async close() {
      abort.abort();
      await reader;
      await probe.close();
    },
  };
}
