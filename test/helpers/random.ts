/**
 * The seed of every random (property) test: the same cases on every run, so a failure is never luck.
 * `TCPSCOPE_SEED=N` replays a seed; `TCPSCOPE_SEED=random` explores new cases. fast-check's failure
 * message carries the seed and the path of the counterexample.
 */
import type { Parameters } from 'fast-check';

/** The seed when TCPSCOPE_SEED is not set. */
export const DEFAULT_SEED = 20260101;

/** The seed this run uses. */
export function testSeed(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.TCPSCOPE_SEED;
  if (v === undefined || v === '') return DEFAULT_SEED;
  if (v === 'random') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`TCPSCOPE_SEED: not an integer: ${v}`);
  return n | 0;
}

const seed = testSeed();

/** fast-check parameters with this run's seed; the seed is named in the message of any failure. */
export function withSeed<T>(params: Parameters<T> = {}): Parameters<T> {
  return { ...params, seed };
}

/** A seeded xorshift32 generator of whole numbers in [0, n): for the tests that draw millions. */
export function seededInts(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}
