/**
 * The recorder: a reading every interval through one probe (one sock_diag socket and counter
 * source kept in the namespace), scheduled from the first reading so the series does not drift:
 * the table with owners every few readings, or at the next one when many sockets were born since
 * (carried by inode between, as the agent does: the /proc scan costs most); between them the table
 * is only counted, read as columns without socket records; the counter rates since the previous reading, and at the readings with owners
 * the doctor's rules over the window since the last such reading, and with `trace` the transitions
 * tracefs reported since the last reading, per pair; each written as one transaction. Stops on the
 * signal, after `count` readings or
 * past `durationMs`. A reading that fails is said and skipped; a history that cannot be written
 * ends the recording with its error.
 */
import { buildConfig } from '../doctor/config.js';
import { diagnose } from '../doctor/diagnose.js';
import { inputFor } from '../doctor/gather.js';
import type { Finding } from '../doctor/types.js';
import { keptForComparison, windowOf } from '../doctor/window.js';
import { ownerCarry } from '../probe/owner-carry.js';
import { openProbe, type Probe } from '../probe/probe.js';
import type { SourceChoice } from '../snapshot/source.js';
import type { Clock } from '../stats/clock.js';
import { intervalBetween, type Reading } from '../stats/sampler.js';
import type { Snapshot } from '../tcp/socket.js';
import type { TransitionStream } from '../trace/stream.js';
import { type SampleRows, sampleRows } from './sample-rows.js';
import type { HistoryWriter } from './writer.js';

export interface RecordOptions {
  procRoot?: string;
  netns?: string;
  netnsPid?: number;
  source?: SourceChoice;
  intervalMs: number;
  /** Ports (besides listening ones) and processes kept per reading before "(other)". */
  top: number;
  /** Look owners up every this many readings (the first always). */
  ownersEvery: number;
  /**
   * Count the state transitions tracefs reports between readings (the machine's: tracefs sees every
   * namespace; not when another namespace is read). Off by default here; `record` asks for it.
   */
  trace?: boolean;
  /** Stop after this many readings. */
  count?: number;
  /** Stop when the next reading would fall later than this after the first. */
  durationMs?: number;
  signal: AbortSignal;
  clock?: Clock;
  /** After each reading written. */
  onSample?: (rows: SampleRows, n: number) => void;
  /** A reading that failed and was skipped, or a part of one that was left out. */
  onProblem?: (line: string) => void;
  /** What is not recorded and why, when it is by design (no tracefs, another namespace). */
  onNote?: (line: string) => void;
}

/** Records until stopped; resolves with the readings written. */
export async function record(writer: HistoryWriter, opts: RecordOptions): Promise<{ samples: number }> {
  const probe = await openProbe({
    ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
    ...(opts.netnsPid !== undefined ? { netnsPid: opts.netnsPid } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
  });
  const transitions = await countTransitions(opts);
  try {
    return await loop(writer, probe, opts, transitions);
  } finally {
    await transitions?.close();
    await probe.close();
  }
}

interface TransitionCounter {
  /** The counts per pair since the last call. */
  take(): Map<string, { from: string; to: string; count: number }>;
  close(): Promise<void>;
}

/** The transitions tracefs reports, counted per pair in the background; undefined when not traced. */
async function countTransitions(opts: RecordOptions): Promise<TransitionCounter | undefined> {
  if (opts.trace !== true) return undefined;
  if (opts.netns !== undefined || opts.netnsPid !== undefined) {
    opts.onNote?.(
      'transitions are not recorded for another namespace: tracefs reports every namespace at once',
    );
    return undefined;
  }
  const abort = new AbortController();
  let stream: TransitionStream;
  try {
    const { openTransitions } = await import('../trace/stream.js');
    stream = await openTransitions({
      signal: abort.signal,
      purpose: 'record',
      owners: false,
      ...(opts.procRoot !== undefined ? { procRoot: opts.procRoot } : {}),
    });
  } catch (e) {
    opts.onNote?.(`transitions are not recorded: ${(e as Error).message}`);
    return undefined;
  }
  let counts = new Map<string, { from: string; to: string; count: number }>();
  const reading = (async () => {
    for await (const batch of stream.batches())
      for (const item of batch) {
        if (item.kind !== 'transition') continue;
        const id = `${item.from}>${item.to}`;
        const c = counts.get(id);
        if (c) c.count++;
        else counts.set(id, { from: item.from, to: item.to, count: 1 });
      }
  })().catch(() => undefined);
  return {
    take() {
      const out = counts;
      counts = new Map();
      return out;
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

async function loop(
  writer: HistoryWriter,
  probe: Probe,
  opts: RecordOptions,
  transitions: TransitionCounter | undefined,
): Promise<{ samples: number }> {
  const clock = probe.clock;
  const read = reader(probe, opts, transitions);
  const start = clock.now();
  let samples = 0;
  for (let k = 0; ; k++) {
    if (opts.signal.aborted) break;
    let rows: SampleRows | undefined;
    try {
      rows = await read();
    } catch (e) {
      opts.onProblem?.(`reading skipped: ${(e as Error).message}`);
    }
    if (opts.signal.aborted) break;
    if (rows) {
      writer.append(rows);
      opts.onSample?.(rows, ++samples);
    }
    if (opts.count !== undefined && k + 1 >= opts.count) break;
    const next = start + (k + 1) * opts.intervalMs;
    if (opts.durationMs !== undefined && next - start > opts.durationMs) break;
    await clock.sleep(Math.max(0, next - clock.now()), opts.signal);
  }
  return { samples };
}

/** Takes one reading and turns it into rows; keeps what the next one compares with. */
function reader(
  probe: Probe,
  opts: RecordOptions,
  transitions: TransitionCounter | undefined,
): () => Promise<SampleRows> {
  const { config } = buildConfig(undefined, []);
  const carry = ownerCarry(opts.ownersEvery);
  let lastReading: Reading | undefined;
  /** Sockets whose owner the last lookup could not find (processes it cannot see, races). */
  let unownedAfterLookup = 0;
  /** The last reading the doctor judged: its window runs from there to the next one it judges. */
  let diagnosed: { snapshot: Snapshot; reading: Reading } | undefined;
  let doctorFailed = false;
  return async () => {
    const time = probe.clock.wall().getTime();
    // The /proc scan for owners costs most: every `ownersEvery` readings, carried by inode between.
    // The doctor runs at those readings too (its findings name processes), over the window since
    // the last one it judged.
    const withOwners = carry.due();
    // Between lookups the table is only counted: read as columns, no socket records made (the
    // records' memory and its collection cost several times the kernel's dump at 100,000 sockets).
    const lean = withOwners ? undefined : await probe.lean().catch(() => undefined);
    const transitionsSince = transitions ? { transitions: transitions.take() } : {};
    const snapshot = lean ? undefined : await probe.snapshot({ owners: withOwners });
    if (snapshot) carry.apply(snapshot.sockets, withOwners);
    const reading: Reading = { sample: probe.counters(), time: probe.clock.wall(), mono: probe.clock.now() };
    const interval = lastReading ? intervalBetween(lastReading, reading) : undefined;
    lastReading = reading;
    let findings: Finding[] = [];
    if (withOwners && snapshot) {
      try {
        const input = await inputFor(snapshot, { probe, config, lang: 'en' });
        if (diagnosed) {
          input.window = windowOf([diagnosed.snapshot, snapshot]);
          input.interval = intervalBetween(diagnosed.reading, reading);
        }
        findings = diagnose(input).findings;
      } catch (e) {
        if (!doctorFailed)
          opts.onProblem?.(`the doctor's findings are not recorded: ${(e as Error).message}`);
        doctorFailed = true;
      }
      // Only what the next judgement compares with is kept: sockets that may have stayed, and listeners.
      diagnosed = { snapshot: keptForComparison(snapshot), reading };
    }
    const rows = sampleRows({
      time,
      ...(lean ? { lean: { table: lean, ownersOf: carry.ownersOf } } : { sockets: snapshot?.sockets ?? [] }),
      top: opts.top,
      owners: withOwners,
      ...(interval ? { interval } : {}),
      findings,
      // Those since the previous reading (at the first, since tracing began).
      ...transitionsSince,
    });
    const unowned = rows.unowned ?? 0;
    if (withOwners) unownedAfterLookup = unowned;
    // Many sockets born since the lookup (a leak, a new service): look owners up at the next reading.
    else if (unowned - unownedAfterLookup > Math.max(100, rows.total / 10)) carry.soon();
    return rows;
  };
}
