/**
 * The agent's sampler: every interval, one reading of the namespace (the socket table, with owners
 * looked up every few readings and carried by inode between,
 * the counters, the sysctls, the doctor's rules over the last two readings, failed connects traced
 * between them) turned into `/metrics` text and kept. A scrape returns the last text and never
 * waits on /proc; a reading that fails or hangs leaves the previous one served and is said in
 * `/healthz`. The namespace, its sock_diag socket and counter source (one probe) and the tracefs
 * instance are opened once. At most one reading runs at a time: while one hangs (a /proc that does
 * not answer), the next are skipped and counted as failures rather than piled up, so memory stays
 * bounded whatever the kernel does.
 */
import { buildConfig } from '../doctor/config.js';
import type { ConnectFailures } from '../doctor/connect-events.js';
import { diagnose } from '../doctor/diagnose.js';
import { inputFor } from '../doctor/gather.js';
import { type ConnectTrace, traceConnects } from '../doctor/gather-connects.js';
import { keptForComparison, windowOf } from '../doctor/window.js';
import { UsageError } from '../errors.js';
import type { ConnectFailureCount, MetricsCaps } from '../metrics/families.js';
import { metricsFromDoctor } from '../metrics/from-doctor.js';
import { renderMetrics } from '../metrics/render.js';
import { formatEndpoint } from '../net/endpoint.js';
import { ownerCarry } from '../probe/owner-carry.js';
import { type PeriodicHealth, startPeriodic } from '../probe/periodic.js';
import { openProbe } from '../probe/probe.js';
import type { SourceChoice } from '../snapshot/source.js';
import { intervalBetween, type Reading } from '../stats/sampler.js';
import { placeOf } from '../stats/source.js';
import type { Snapshot } from '../tcp/socket.js';

export interface AgentOptions {
  procRoot?: string;
  netns?: string;
  netnsPid?: number;
  /** netlink, procfs or auto (the default). */
  source?: SourceChoice;
  /** Milliseconds between readings. */
  intervalMs: number;
  /** A reading taking longer than this is abandoned (the last good one stays served). */
  timeoutMs?: number;
  caps?: Partial<MetricsCaps>;
  /** Look the owners of sockets up every this many readings (4 by default), carried by inode between. */
  ownersEvery?: number;
  /** The doctor's thresholds, `rule.key=value` (as `doctor --set`). */
  sets?: readonly string[];
  /** Trace failed connects with tracefs (root); true unless false. */
  trace?: boolean;
  version: string;
  /** One line for stderr. */
  note?: (line: string) => void;
}

export type AgentHealth = PeriodicHealth;

export interface AgentSampler {
  /** The last reading as the Prometheus text format; undefined before the first. */
  metrics(): string | undefined;
  health(): AgentHealth;
  /** Resolves once the first reading is done (or failed). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts reading at once, then every `intervalMs`. */
export async function startAgentSampler(opts: AgentOptions): Promise<AgentSampler> {
  const where = placeOf(opts);
  const procRoot = where.procRoot;
  const { config, errors } = buildConfig(undefined, opts.sets ?? []);
  if (errors.length > 0) throw new UsageError(errors[0]!);
  const probe = await openProbe({ ...where, ...(opts.source ? { source: opts.source } : {}) });
  const dropped = new Map<string, number>();
  const failures = new Map<string, ConnectFailureCount>();
  const timeoutMs = opts.timeoutMs ?? Math.max(10_000, opts.intervalMs * 2);
  let text: string | undefined;
  let previous: { snapshot: Snapshot; reading: Reading } | undefined;
  let trace: ConnectTrace | undefined;
  let tracing = opts.trace !== false;
  let traceStart = performance.now();
  const carry = ownerCarry(opts.ownersEvery ?? 4);

  const restartTrace = async (netnsInode: number | undefined): Promise<void> => {
    if (!tracing) return;
    const t = await traceConnects(procRoot, netnsInode);
    if (t.trace) {
      trace = t.trace;
      traceStart = performance.now();
    } else {
      tracing = false;
      opts.note?.(`failed connects are not traced: ${t.reason}`);
    }
  };

  const collectTrace = async (): Promise<ConnectFailures | undefined> => {
    if (!trace) return undefined;
    const seen = await trace.stop((performance.now() - traceStart) / 1000);
    trace = undefined;
    for (const f of seen.failures) {
      const destination = formatEndpoint(f.address, f.port);
      const key = `${f.command}\0${destination}\0${f.error}`;
      const e = failures.get(key) ?? { process: f.command, destination, error: f.error, count: 0 };
      e.count += f.count;
      failures.set(key, e);
    }
    return seen;
  };

  const readOnce = async (): Promise<void> => {
    const t0 = performance.now();
    // The /proc scan for owners costs more than the table: every `ownersEvery` readings, the owners
    // found carried by inode in between (a socket made since shows without one until the next scan).
    const withOwners = carry.due();
    const snapshot = await probe.snapshot({ owners: withOwners });
    carry.apply(snapshot.sockets, withOwners);
    const reading: Reading = { sample: probe.counters(), time: probe.clock.wall(), mono: performance.now() };
    // The next trace starts as soon as this one stops: only the moment between goes unseen.
    const connects = await collectTrace();
    await restartTrace(previous?.snapshot.netns?.inode ?? snapshot.netns?.inode);
    const input = await inputFor(snapshot, { probe, config, lang: 'en' });
    if (previous) {
      input.window = windowOf([previous.snapshot, snapshot]);
      input.interval = intervalBetween(previous.reading, reading);
    }
    if (connects) input.connects = connects;
    const findings = diagnose(input).findings;
    text = renderMetrics(
      {
        snapshot,
        ...(previous ? { previous: previous.snapshot } : {}),
        counters: reading.sample.counters,
        // The doctor has read the port range and the listeners' executables already.
        ...metricsFromDoctor(input),
        findings,
        connectFailures: [...failures.values()],
        tracefs: tracing,
        sampleSeconds: (performance.now() - t0) / 1000,
      },
      { version: opts.version, dropped, ...(opts.caps ? { caps: opts.caps } : {}) },
    );
    // Only what the next reading compares with is kept: sockets that may have stayed, and listeners.
    previous = { snapshot: keptForComparison(snapshot), reading };
    if (!trace) await restartTrace(snapshot.netns?.inode);
  };

  const periodic = startPeriodic({
    intervalMs: opts.intervalMs,
    timeoutMs,
    read: readOnce,
    ...(opts.note ? { note: opts.note } : {}),
  });

  return {
    metrics: () => text,
    health: () => periodic.health(),
    ready: periodic.ready,
    async stop() {
      await periodic.stop();
      await trace?.stop(0).catch(() => undefined);
      trace = undefined;
      // A reading still hanging keeps its turn on the socket; close() waits for it only that long.
      await Promise.race([probe.close(), new Promise((r) => setTimeout(r, 1000).unref?.())]);
    },
  };
}
