/**
 * Gathers what the rules read: the socket table with owners (at the start and the end of the
 * window), counter rates over the window, sysctls, the executables of the listeners' owners, and
 * the baseline. All the doctor's I/O is here.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { ParseError } from '../errors.js';
import { readSysctls } from '../kernel/counters-sysctl.js';
import type { CounterSample } from '../kernel/counters-types.js';
import type { Probe } from '../probe/probe.js';
import { type SnapshotOptions, takeSnapshot } from '../snapshot/take.js';
import { intervalBetween, type Reading } from '../stats/sampler.js';
import { type CounterSource, openCounterSource, placeOf } from '../stats/source.js';
import type { Snapshot } from '../tcp/socket.js';
import type { DoctorConfig } from './config.js';
import { traceConnects } from './gather-connects.js';
import type { Baseline, DoctorInput, ExeInfo } from './types.js';
import { windowOf } from './window.js';

export interface GatherOptions extends SnapshotOptions {
  /** Seconds to sample counters over; 0 for a single snapshot (`--now`). */
  windowSeconds: number;
  config: DoctorConfig;
  lang: 'en' | 'zh';
  baseline?: Baseline;
  signal?: AbortSignal;
  /** Trace failing connects with tracefs over the window (root; true unless false). */
  trace?: boolean;
  /** Read through this probe (its namespace, sock_diag socket, counter source and clock). */
  probe?: Probe;
}

/** The options with the probe's place, socket and clock, when one is given. */
function throughProbe<T extends Omit<GatherOptions, 'windowSeconds'>>(opts: T): T {
  return opts.probe ? { ...opts, ...opts.probe.readOptions } : opts;
}

const TEMP_DIRS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/user/'];

/** The executable of each process that owns a listener. */
function listenerExes(procRoot: string, snap: Snapshot): Map<number, ExeInfo> {
  const exes = new Map<number, ExeInfo>();
  for (const s of snap.sockets) {
    if (s.state !== 'LISTEN') continue;
    for (const o of s.owners ?? []) {
      if (exes.has(o.pid)) continue;
      try {
        const link = readlinkSync(`${procRoot}/${o.pid}/exe`);
        const deleted = link.endsWith(' (deleted)');
        const path = deleted ? link.slice(0, -' (deleted)'.length) : link;
        exes.set(o.pid, { path, deleted, temporary: TEMP_DIRS.some((d) => path.startsWith(d)) });
      } catch {}
    }
  }
  return exes;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * Reads everything the rules need. With a window, snapshots about a second apart over
 * `windowSeconds` (the earlier ones without owners or tcp_info: only which sockets stay and how
 * their queues move), and the counters at its two ends.
 */
export async function gather(given: GatherOptions): Promise<DoctorInput> {
  const opts = throughProbe(given);
  const where = placeOf(opts);
  const procRoot = where.procRoot;
  const source = opts.probe?.counterSource ?? (await openCounterSource(where));
  if (!(opts.windowSeconds > 0)) {
    const snapshot = await takeSnapshot({ ...opts, owners: true, info: true });
    return readAround(snapshot, source, procRoot, where, opts);
  }
  const steps = Math.max(1, Math.round(opts.windowSeconds));
  const stepMs = (opts.windowSeconds * 1000) / steps;
  const start = performance.now();
  const wall = opts.now ?? (() => new Date());
  const first: Reading = { sample: source.read(), time: wall(), mono: start };
  const earlier: Snapshot[] = [await takeSnapshot({ ...opts, owners: false, info: false })];
  const traced =
    opts.trace === false ? { reason: 'not asked' } : await traceConnects(procRoot, earlier[0]!.netns?.inode);
  try {
    for (let k = 1; k < steps; k++) {
      await sleep(start + k * stepMs - performance.now(), opts.signal);
      earlier.push(await takeSnapshot({ ...opts, owners: false, info: false }));
    }
    await sleep(start + steps * stepMs - performance.now(), opts.signal);
  } catch (e) {
    await traced.trace?.stop(0);
    throw e;
  }
  const last: Reading = { sample: source.read(), time: wall(), mono: performance.now() };
  const connects = await traced.trace?.stop((last.mono - start) / 1000);
  const snapshot = await takeSnapshot({ ...opts, owners: true, info: true });
  const input = readAround(snapshot, source, procRoot, where, opts, last.sample);
  input.window = windowOf([...earlier, snapshot]);
  input.interval = intervalBetween(first, last);
  if (connects) input.connects = connects;
  else if (traced.reason) input.connectsUntraced = traced.reason;
  return input;
}

/** The doctor's input around a snapshot already taken (with owners): no window, a single reading. */
export async function inputFor(
  snapshot: Snapshot,
  given: Omit<GatherOptions, 'windowSeconds'>,
): Promise<DoctorInput> {
  const opts = throughProbe(given);
  const where = placeOf(opts);
  const procRoot = where.procRoot;
  const source = opts.probe?.counterSource ?? (await openCounterSource(where));
  return readAround(snapshot, source, procRoot, where, opts);
}

function readAround(
  snapshot: Snapshot,
  source: CounterSource,
  procRoot: string,
  where: { netns?: string; netnsPid?: number },
  opts: Omit<GatherOptions, 'windowSeconds'>,
  last?: CounterSample,
): DoctorInput {
  const sample = last ?? source.read();
  const sysctls = source.within(() => readSysctls(procRoot).values);
  // tcp_mem and tcp_max_orphans exist only in the first namespace: they are host-wide.
  if (where.netns !== undefined || where.netnsPid !== undefined)
    Object.assign(sysctls, { ...readSysctls(procRoot).values, ...sysctls });
  const input: DoctorInput = {
    snapshot,
    counters: sample.counters,
    sockstat: sample.sockstat,
    sysctls,
    exes: listenerExes(procRoot, snapshot),
    config: opts.config,
    lang: opts.lang,
  };
  if (opts.baseline) input.baseline = opts.baseline;
  return input;
}

/** The listeners of a snapshot as a baseline (`doctor --save-baseline`). */
export function baselineOf(snap: Snapshot): Baseline {
  const seen = new Set<string>();
  const listeners: Baseline['listeners'] = [];
  for (const s of snap.sockets) {
    if (s.state !== 'LISTEN') continue;
    const command = s.owners?.[0]?.command ?? '?';
    const k = `${s.local.port} ${s.local.address} ${command}`;
    if (seen.has(k)) continue;
    seen.add(k);
    listeners.push({ port: s.local.port, address: s.local.address, command });
  }
  return { listeners: listeners.sort((a, b) => a.port - b.port) };
}

/** Reads a baseline file; one line naming the file when it is not one. */
export function readBaseline(path: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ParseError(`--baseline ${path}: ${(e as Error).message}`);
  }
  const listeners = (value as { listeners?: unknown } | null)?.listeners;
  if (
    !Array.isArray(listeners) ||
    !listeners.every((l) => typeof l?.port === 'number' && typeof l?.command === 'string')
  ) {
    throw new ParseError(`--baseline ${path}: expected { "listeners": [{ "port", "address", "command" }] }`);
  }
  return { listeners: listeners as Baseline['listeners'] };
}
