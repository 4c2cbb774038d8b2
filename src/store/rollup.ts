/**
 * Pure. Downsampling: raw samples into 1-minute buckets, 1-minute buckets into 1-hour ones. A raw
 * value is an aggregate of one (`n: 1`), so one function does both steps. Counts are stored only when
 * not zero, so a key missing from a sample counted zero there: each bucket also carries how many
 * samples it covers, and a count's average and minimum are taken over them (a port busy for half
 * the minute averages half its count, with a minimum of 0). Rates are present in every sample after
 * the first, so theirs are taken over the samples that have them.
 */

/** One series' values over a bucket (or a single sample: n 1, all four the value). */
export interface Agg {
  /** The bucket's start, or the sample's time (ms since the epoch). */
  time: number;
  /** `all`, `port`, `process` (counts) or `rate`. */
  kind: string;
  /** The port, the process, the counter; '' for the overall counts. */
  key: string;
  /** The Linux state name; '' for rates. */
  state: string;
  /** Samples in which the series had a value. */
  n: number;
  sum: number;
  min: number;
  max: number;
  /** The value at the bucket's last sample that had one. */
  last: number;
}

/** A bucket's (or a sample's) time and how many samples it covers. */
export interface Span {
  time: number;
  n: number;
}

/** The start of the bucket of `stepMs` that holds `time`. */
export function bucketOf(time: number, stepMs: number): number {
  return Math.floor(time / stepMs) * stepMs;
}

/** Whether a kind's missing values count as zeros (counts) or as not measured (rates). */
export function zeroFilled(kind: string): boolean {
  return kind !== 'rate';
}

/**
 * `aggs` and `spans` (finer buckets or samples) merged into buckets of `stepMs`: one Agg per series
 * and bucket, and the samples each bucket covers. Inputs may come in any order.
 */
export function coarsen(
  aggs: readonly Agg[],
  spans: readonly Span[],
  stepMs: number,
): { aggs: Agg[]; spans: Span[] } {
  const samples = new Map<number, number>();
  const lastSpan = new Map<number, number>();
  for (const s of spans) {
    const b = bucketOf(s.time, stepMs);
    samples.set(b, (samples.get(b) ?? 0) + s.n);
    lastSpan.set(b, Math.max(lastSpan.get(b) ?? s.time, s.time));
  }
  const sorted = [...aggs].sort((a, b) => a.time - b.time);
  const out = new Map<string, Agg & { covered: number; lastAt: number }>();
  for (const a of sorted) {
    const time = bucketOf(a.time, stepMs);
    const id = `${time}\0${a.kind}\0${a.key}\0${a.state}`;
    const o = out.get(id);
    // For counts, `n` is the samples the finer bucket covered (its value was zero where absent).
    const covered = a.n;
    if (!o) {
      out.set(id, { ...a, time, covered, lastAt: a.time });
      continue;
    }
    o.n += a.n;
    o.covered += covered;
    o.sum += a.sum;
    o.min = Math.min(o.min, a.min);
    o.max = Math.max(o.max, a.max);
    o.last = a.last;
    o.lastAt = a.time;
  }
  const result: Agg[] = [];
  for (const o of out.values()) {
    const { covered, lastAt, ...agg } = o;
    const all = samples.get(o.time) ?? covered;
    if (zeroFilled(o.kind)) {
      // A count missing from some samples of the bucket was zero there, and last if missing last.
      if (covered < all) agg.min = Math.min(agg.min, 0);
      if (lastAt < (lastSpan.get(o.time) ?? lastAt)) agg.last = 0;
      agg.n = all;
    }
    result.push(agg);
  }
  return {
    aggs: result,
    spans: [...samples].map(([time, n]) => ({ time, n })).sort((a, b) => a.time - b.time),
  };
}

/** The average an Agg stands for. */
export function averageOf(a: Pick<Agg, 'sum' | 'n'>): number {
  return a.n > 0 ? a.sum / a.n : 0;
}
