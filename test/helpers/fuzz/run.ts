/**
 * Runs a fuzz target in a worker, with a watchdog: an input that runs for `hangMs` is a hang, one
 * that takes the worker past its heap is a runaway; either is kept, as a crash is. Crashing inputs
 * are written to `dir` (one file each, named by content) so that they can become regression inputs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Crash, FuzzStats } from './engine.js';
import type { WorkerInput } from './worker.js';

export interface RunOptions {
  seed: number;
  ms: number;
  maxExecs?: number;
  guided?: boolean;
  /** Stop after this many kinds of crash (5). */
  maxCrashes?: number;
  hangMs?: number;
  heapMb?: number;
  /** Called for each input that joined the corpus. */
  onNew?: (input: Uint8Array) => void;
  /** Where crashing inputs go (default: $TMPDIR/tcpscope-fuzz/TARGET). */
  dir?: string;
}

export interface RunResult extends FuzzStats {
  /** Files written for the crashes. */
  files: string[];
}

const MAX_INPUT = 64 * 1024;

export function runFuzz(target: string, opts: RunOptions): Promise<RunResult> {
  const shared = new SharedArrayBuffer(8 + MAX_INPUT);
  const head = new Int32Array(shared, 0, 2);
  const current = () => new Uint8Array(shared, 8, Atomics.load(head, 1)).slice();
  const input: WorkerInput = {
    fuzz: true,
    target,
    seed: opts.seed,
    ms: opts.ms,
    ...(opts.maxExecs === undefined ? {} : { maxExecs: opts.maxExecs }),
    guided: opts.guided ?? true,
    maxCrashes: opts.maxCrashes ?? 5,
    keepNew: opts.onNew !== undefined,
    shared,
  };
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 1024 },
  });
  const dir = opts.dir ?? join(tmpdir(), 'tcpscope-fuzz', target);
  const hangMs = opts.hangMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let stats: FuzzStats | undefined;
    const lost: Crash[] = [];
    let last = -1;
    let since = performance.now();
    const watch = setInterval(() => {
      const n = Atomics.load(head, 0);
      if (n !== last) {
        last = n;
        since = performance.now();
      } else if (n > 0 && performance.now() - since > hangMs) {
        clearInterval(watch);
        lost.push({ input: current(), message: `hang: one input ran for more than ${hangMs} ms` });
        void worker.terminate();
      }
    }, 250);
    worker.on('message', (m: { kind: 'new'; input: Uint8Array } | { kind: 'done'; stats: FuzzStats }) => {
      if (m.kind === 'new') opts.onNew?.(m.input);
      else stats = m.stats;
    });
    worker.on('error', (e) => {
      // A heap past its limit, or an error outside the target (which is the harness's own defect).
      if (Atomics.load(head, 0) === 0 || !/memory|heap/i.test(String(e))) return reject(e);
      lost.push({ input: current(), message: `runaway: ${e.message}` });
    });
    worker.on('exit', () => {
      clearInterval(watch);
      const base: FuzzStats = stats ?? {
        execs: Atomics.load(head, 0),
        corpus: 0,
        features: 0,
        found: 0,
        crashes: [],
      };
      const crashes = [...base.crashes, ...lost];
      const files: string[] = [];
      if (crashes.length > 0) mkdirSync(dir, { recursive: true });
      for (const c of crashes) {
        const f = join(dir, `crash-${createHash('sha1').update(c.input).digest('hex').slice(0, 12)}`);
        writeFileSync(f, c.input);
        files.push(f);
      }
      if (stats === undefined && lost.length === 0)
        reject(new Error(`fuzz worker for ${target} ended without a result`));
      else resolve({ ...base, crashes, files });
    });
  });
}
