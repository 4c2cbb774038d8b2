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
import { intervalBetween, type Reading } from '../stats/sampler.js';
import { placeOf } from '../stats/source.js';
import type { Snapshot } from '../tcp/socket.js';
import { openTransitions, type TransitionStream } from '../trace/stream.js';
import type { TraceTransition } from '../trace/types.js';
import type { WatchFinding, WatchSample, WatchTransition } from './model.js';
import { tableOf, type WatchTable } from './table.js';

export interface WatchSamplerOptions {
  procRoot?: string;
  netns?: string;
  netnsPid?: number;
  /** Look owners up every this many refreshes (1: every time). */
  ownersEvery?: number;
  /** Read the owners' command lines too (as `ls` does), when owners are looked up. */
  cmdline?: boolean;
  /** Run the doctor every this many refreshes. */
  doctorEvery?: number;
  /** Follow transitions with tracefs (root). */
  trace?: boolean;
  lang?: 'en' | 'zh';
  /**
   * Read the table as columns (the live view): no socket records but at owner lookups, which also
   * wait until 40 times their own cost has passed (at 100,000 sockets the /proc scan takes about a
   * second of CPU), so they stay under 2.5% of a core, and until connections were opened. Samples
   * then carry `table` and `ownersOf`, not `sockets` and `snapshot`.
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
  const probe = await openProbe(where);
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
      stream = await openTransitions({ signal: abort.signal, purpose: 'watch', owners: false, procRoot });
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

  // Columns: owners looked up every `ownersEvery` refreshes at most, no sooner than 40 times what
  // the last lookup cost (at most 2.5% of a core on the /proc scan), and only when connections were
  // opened since (the kernel's open counters) or a minute of refreshes has passed.
  let sinceOwners = Number.POSITIVE_INFINITY;
  let ownersAt = 0;
  let ownersCost = 0;
  let openedAtLookup = -1;
  let ownersVersion = 0;
  let lastDoctor = Number.NEGATIVE_INFINITY;
  const buffers = [new WideColumns(), new WideColumns()];
  const opened = (r: Reading | undefined): number =>
    r ? (r.sample.counters['TcpActiveOpens'] ?? 0) + (r.sample.counters['TcpPassiveOpens'] ?? 0) : -1;
  const ownersDue = (): boolean =>
    sinceOwners >= Math.max(1, o.ownersEvery ?? 1) &&
    performance.now() - ownersAt >= 40 * ownersCost &&
    (opened(lastReading) !== openedAtLookup || sinceOwners >= 60);

  const sample = async (): Promise<WatchSample> => {
    const columns = o.columns === true;
    const withOwners = columns ? ownersDue() : carry.due();
    n++;
    sinceOwners++;
    let snapshot: Snapshot | undefined;
    let table: WatchTable | undefined;
    if (withOwners || !columns) {
      const t0 = performance.now();
      snapshot = await probe.snapshot({ owners: withOwners, cmdline: withOwners && o.cmdline === true });
      carry.apply(snapshot.sockets, withOwners);
      if (withOwners) {
        sinceOwners = 0;
        ownersAt = performance.now();
        ownersCost = ownersAt - t0;
        openedAtLookup = opened(lastReading);
        ownersVersion++;
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
    }
    const reading: Reading = { sample: probe.counters(), time: probe.clock.wall(), mono: performance.now() };
    let rates: Record<string, number> | undefined;
    if (lastReading) {
      const iv = intervalBetween(lastReading, reading);
      rates = Object.fromEntries(RATES.map((k) => [k, (iv.delta[k] ?? 0) / Math.max(iv.seconds, 0.001)]));
    }
    const doctorDue = columns ? n - lastDoctor >= doctorEvery : (n - 1) % doctorEvery === 0;
    if (withOwners && snapshot && doctorDue) {
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
    }
    lastReading = reading;
    // Only what the doctor's next window compares with.
    if (snapshot && (!columns || withOwners)) previous = keptForComparison(snapshot);
    const out: WatchSample = {
      time: reading.time.getTime(),
      ...(rates ? { rates } : {}),
      counters: reading.sample.counters,
    };
    if (columns) {
      out.table = table!;
      out.ownersOf = carry.ownersOf;
      out.ownersVersion = ownersVersion;
    } else if (snapshot) {
      out.sockets = snapshot.sockets;
      out.snapshot = snapshot;
    }
    if (doctor) out.doctor = doctor;
    if (findings) out.findings = findings;
    if (unavailable !== undefined) out.transitionsUnavailable = unavailable;
    else {
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
