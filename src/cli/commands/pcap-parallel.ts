/**
 * `pcap` on several threads: each worker (dist/pcap-worker.cjs) reads the whole capture, tracks the
 * flows of its share and hands on only what the command shows of them (selected, formatted or
 * counted there); this thread numbers their connections as one tracker would and hands them on in
 * the order they finish, the same on every run. Every worker reads and decodes every packet (decoding
 * once in a reader thread for all was tried: passing packets through shared memory cost as much).
 * Where a capture is mostly connections opened and closed, two threads gain a third; where it is a
 * few long transfers, one worker has a transfer's segments while the other has none, and they gain
 * little (bench/pcap).
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureStats } from '../../capture/index.js';
import type { Conn } from '../../flow/index.js';
import { parseIntFlag } from '../socket-options.js';
import type { By, ByGroups } from './pcap-by.js';
import {
  type Batch,
  CELL,
  type DoctorShare,
  Numbering,
  type PartDone,
  ROW,
  type WorkerInput,
  type WorkerMode,
} from './pcap-share.js';

export interface PartsOptions {
  readonly file: string;
  readonly parts: number;
  /** The bound on flows, shared evenly between the workers. */
  readonly maxFlows: number;
  /** What the workers hand on of the connections these filter flags select (see `WorkerInput`). */
  readonly mode: WorkerMode;
  readonly by?: By;
  readonly atUs?: number;
  readonly filters: unknown;
  /** A connection's number, and its JSON without the opening `{"id":N`. */
  readonly onJson?: (n: number, tail: Uint8Array) => void;
  /** A connection's number, and the listing's cells after it. */
  readonly onCells?: (n: number, cells: readonly string[]) => void;
  /** A connection, numbered. */
  readonly onConn?: (c: Conn) => void;
  /** A worker's `--by` counts. */
  readonly onGroups?: (groups: ByGroups) => void;
  /** A worker's share of what `doctor --pcap` counts. */
  readonly onDoctor?: (share: DoctorShare) => void;
  /** How far into the file the first worker has read. */
  readonly onOffset?: (offset: number) => void;
}

/** The worker's program beside this bundle, when there is one (not when run from the compiled sources). */
export function workerProgram(): string | undefined {
  const path = fileURLToPath(new URL('./pcap-worker.cjs', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/** Files this large are shared between threads (below, starting them costs more than it saves). */
const THREADS_FROM_BYTES = 64 * 1024 * 1024;

/**
 * How many threads track flows, for `--threads` (a count, or `auto`: one per core up to 4, for a
 * file of 64 MB or more): one for standard input or anything not a regular file.
 */
export function threadsFor(threads: string, file: string): number {
  const asked =
    threads === 'auto' ? Math.min(4, availableParallelism()) : parseIntFlag('--threads', threads, 1, 64);
  if (asked <= 1 || file === '-') return 1;
  let size = 0;
  try {
    const st = statSync(file);
    if (!st.isFile()) return 1;
    size = st.size;
  } catch {
    return 1;
  }
  return threads === 'auto' && size < THREADS_FROM_BYTES ? 1 : asked;
}

/** How far (in segments) a worker may read ahead of the slowest. */
const AHEAD_PACKETS = 65536;

type Message = Batch | PartDone | { failed: true; name: string; message: string; code?: string };

/** Reads the capture on `parts` workers; the reading's tally, the flows evicted and the last segment's time. */
export function readInParts(
  program: string,
  o: PartsOptions,
): Promise<{ stats: CaptureStats; evicted: number; lastUs: number }> {
  const numbering = new Numbering<Uint8Array | string[] | Conn>(o.parts, (n, item) => {
    if (item instanceof Uint8Array) o.onJson?.(n, item);
    else if (Array.isArray(item)) o.onCells?.(n, item);
    else o.onConn?.({ ...item, n });
  });
  const workers: Worker[] = [];
  // Flow control: a worker's batch is allowed once handled, unless the worker is far ahead of the
  // slowest (its connections would wait here to be numbered); then once the slowest catches up.
  const allowed = new Int32Array(new SharedArrayBuffer(4 * o.parts));
  const received = new Array<number>(o.parts).fill(0);
  const progress = new Array<number>(o.parts).fill(-1);
  const finished = new Array<boolean>(o.parts).fill(false);
  const allow = (): void => {
    let slowest = Number.POSITIVE_INFINITY;
    for (let w = 0; w < o.parts; w++) if (!finished[w]) slowest = Math.min(slowest, progress[w]!);
    for (let w = 0; w < o.parts; w++) {
      if (finished[w] || received[w] === Atomics.load(allowed, w)) continue;
      if (progress[w]! > slowest + AHEAD_PACKETS) continue;
      Atomics.store(allowed, w, received[w]!);
      Atomics.notify(allowed, w);
    }
  };
  return new Promise((resolve, reject) => {
    let stats: CaptureStats | undefined;
    let evicted = 0;
    let lastUs = Number.NaN;
    let left = o.parts;
    let failed = false;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(e);
    };
    for (let part = 0; part < o.parts; part++) {
      const input: WorkerInput = {
        file: o.file,
        part,
        parts: o.parts,
        maxFlows: Math.max(1, Math.floor(o.maxFlows / o.parts)),
        mode: o.mode,
        filters: o.filters,
        ...(o.by === undefined ? {} : { by: o.by }),
        ...(o.atUs === undefined ? {} : { atUs: o.atUs }),
        allowed: allowed.buffer as SharedArrayBuffer,
      };
      const w = new Worker(program, {
        workerData: input,
        stdout: false,
        stderr: false,
        // A small young generation: the tracker's flows wait out TIME_WAIT as numbers, and what dies
        // young dies within a few hundred segments. A larger one only held more memory.
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      });
      workers.push(w);
      w.on('message', (m: Message) => {
        if (failed) return;
        if ('failed' in m) {
          // With its code, a worker's error is the user's as it would be on one thread (isUserError).
          const e = Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code });
          e.name = m.name;
          fail(e);
        } else if ('done' in m) {
          if (part === 0) {
            stats = m.stats;
            lastUs = m.lastUs;
          }
          evicted += m.evicted;
          if (m.groups) o.onGroups?.(m.groups);
          if (m.doctor) o.onDoctor?.(m.doctor);
          finished[part] = true;
          numbering.finish(part);
          allow();
          if (--left === 0) resolve({ stats: stats!, evicted, lastUs });
        } else {
          if (part === 0) o.onOffset?.(m.offset);
          const items: [number, number, Uint8Array | string[] | Conn][] = m.ends.length
            ? Array.from(m.ends, (end, i) => [
                m.ords[i]!,
                m.dones[i]!,
                m.json.subarray(i === 0 ? 0 : m.ends[i - 1], end),
              ])
            : m.cells.length
              ? m.cells.split(ROW).map((row, i) => [m.ords[i]!, m.dones[i]!, row.split(CELL)])
              : m.conns.map((c, i) => [c.n, m.dones[i]!, c]);
          numbering.batch(part, m.opens, m.progress, m.oldest, items);
          received[part]!++;
          progress[part] = m.progress;
          allow();
        }
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !failed) fail(new Error(`a pcap worker stopped (exit code ${code})`));
      });
    }
  });
}
