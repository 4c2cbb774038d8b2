/**
 * The counter sampler: reads the counters every interval and yields what changed, as deltas and
 * per-second rates over the real elapsed time (not the nominal interval), for `stat`, the doctor,
 * the recorder and the dashboard. Samples are scheduled from the first one (start + k * interval),
 * so a slow read does not make the series drift. Time and the reader are injected for tests.
 */
import { type CounterReadOptions, readCounters } from '../kernel/counters.js';
import type { CounterSample } from '../kernel/counters-types.js';
import { type Clock, systemClock } from './clock.js';
import { counterDelta, counterRates } from './counter-delta.js';

/** A sample with the moment it was read. */
export interface Reading {
  sample: CounterSample;
  /** Wall-clock time of the read. */
  time: Date;
  /** Monotonic milliseconds of the read (Clock.now). */
  mono: number;
}

/** What happened between two readings. */
export interface CounterInterval {
  start: Date;
  end: Date;
  /** Real elapsed seconds between the two reads. */
  seconds: number;
  /** Counter (nstat name) → increase; gauges carry their value at the end. */
  delta: Record<string, number>;
  /** Counter → increase per second (gauges excluded). */
  rates: Record<string, number>;
  /** Counters that went backwards during the interval (their delta is 0). */
  resets: string[];
  /** The reading at the start and at the end (levels such as sockstat and states come from `sample`). */
  previous: CounterSample;
  sample: CounterSample;
}

/** The interval between two readings (pure). */
export function intervalBetween(from: Reading, to: Reading): CounterInterval {
  const seconds = (to.mono - from.mono) / 1000;
  const { delta, resets } = counterDelta(from.sample.counters, to.sample.counters);
  return {
    start: from.time,
    end: to.time,
    seconds,
    delta,
    rates: counterRates(delta, seconds),
    resets,
    previous: from.sample,
    sample: to.sample,
  };
}

export interface SamplerOptions {
  /** Milliseconds between samples. */
  intervalMs: number;
  /** Intervals to yield; endless when absent. */
  count?: number;
  /** Reads one sample; `readCounters(readOptions)` by default. */
  read?: () => CounterSample | Promise<CounterSample>;
  readOptions?: CounterReadOptions;
  clock?: Clock;
  /** Stops the sampler: it returns at once, without a partial interval. */
  signal?: AbortSignal;
}

/** Yields one CounterInterval per interval, `count` times (or until `signal` aborts). */
export async function* sampleCounters(
  opts: SamplerOptions,
): AsyncGenerator<CounterInterval, void, undefined> {
  if (!(opts.intervalMs > 0)) throw new RangeError('sampleCounters: intervalMs must be positive');
  const clock = opts.clock ?? systemClock;
  const readOptions = opts.readOptions ?? {};
  const read = opts.read ?? (() => readCounters(readOptions));
  // A reading is stamped when it starts: reads then start on schedule, so intervals come out even.
  const take = async (): Promise<Reading> => {
    const mono = clock.now();
    const time = clock.wall();
    return { sample: await read(), time, mono };
  };
  let prev = await take();
  const origin = prev.mono;
  for (let k = 1; opts.count === undefined || k <= opts.count; k++) {
    if (opts.signal?.aborted) return;
    await clock.sleep(Math.max(0, origin + k * opts.intervalMs - clock.now()), opts.signal);
    if (opts.signal?.aborted) return;
    const cur = await take();
    yield intervalBetween(prev, cur);
    prev = cur;
  }
}
