/**
 * The fuzzer's worker: runs one target (by name) and posts its statistics. Before each input it
 * copies the input and bumps a counter in memory shared with the main thread, which stops the
 * worker and keeps that input when the counter stands still (a hang). A no-op on the main thread.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Coverage, type FuzzTarget, fuzz } from './engine.js';

export interface WorkerInput {
  fuzz: true;
  target: string;
  seed: number;
  ms: number;
  maxExecs?: number;
  guided: boolean;
  maxCrashes: number;
  keepNew: boolean;
  /** Int32 [execs, length], then the input's bytes. */
  shared: SharedArrayBuffer;
}

async function main(input: WorkerInput): Promise<void> {
  // V8 counts blocks only in code compiled after coverage starts: the targets are loaded after.
  const coverage = new Coverage();
  const target: FuzzTarget | undefined =
    (await import('./self-test.js')).SELF_TEST[input.target] ??
    (await import('./targets.js')).TARGETS[input.target];
  if (target === undefined) throw new Error(`no fuzz target ${input.target}`);
  const head = new Int32Array(input.shared, 0, 2);
  const bytes = new Uint8Array(input.shared, 8);
  const stats = fuzz(target, coverage, {
    seed: input.seed,
    ms: input.ms,
    ...(input.maxExecs === undefined ? {} : { maxExecs: input.maxExecs }),
    guided: input.guided,
    maxCrashes: input.maxCrashes,
    before(b) {
      const n = Math.min(b.length, bytes.length);
      bytes.set(n === b.length ? b : b.subarray(0, n));
      Atomics.store(head, 1, n);
      Atomics.add(head, 0, 1);
    },
    ...(input.keepNew
      ? { onNew: (b: Uint8Array) => parentPort!.postMessage({ kind: 'new', input: b }) }
      : {}),
  });
  parentPort!.postMessage({ kind: 'done', stats });
}

const data = workerData as WorkerInput | undefined;
if (!isMainThread && data?.fuzz === true) await main(data);
