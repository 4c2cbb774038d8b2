/**
 * Time for the sampler, injected so tests can run it without waiting: a monotonic clock for
 * elapsed time, the wall clock for timestamps, and a sleep that an AbortSignal cuts short.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Monotonic milliseconds: only differences mean something. */
  now(): number;
  /** The wall clock, for timestamps. */
  wall(): Date;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wall: () => new Date(),
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, signal ? { signal } : {});
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  },
};
