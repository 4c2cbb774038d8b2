/**
 * `/metrics` in one call: a sample of a namespace (the snapshot with owners, the counters, the
 * previous snapshot for the "stayed" gauges, the doctor's findings and the traced transitions and
 * failed connects when given) as the Prometheus text format, every family of docs/metrics.md
 * declared. The agent serves it; a server mounts it the same way:
 *
 * ```ts
 * const text = renderMetrics({ snapshot, previous, counters: sample.counters, findings, tracefs: false },
 *   { version, dropped });   // keep `dropped` across samples: tcpscope_series_dropped_total counts on
 * res.end(text);             // Content-Type: text/plain; version=0.0.4; charset=utf-8
 * ```
 */
import { exposition } from './exposition.js';
import { type MetricsCaps, type MetricsInput, metricFamilies } from './families.js';

/** One sample: what the families are made from. */
export type MetricsSample = Omit<MetricsInput, 'version' | 'caps' | 'dropped'>;

export interface RenderMetricsOptions {
  /** tcpscope's version, for `tcpscope_build_info`. */
  version: string;
  /** The label-set caps (`--max-ports` 50, `--max-processes` 20, `--max-destinations` 20 by default). */
  caps?: Partial<MetricsCaps>;
  /** Series cut by the caps, by family, kept by the caller across samples and added to here. */
  dropped?: Map<string, number>;
}

/** The content type of the text format this writes. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The sample as the Prometheus text format (0.0.4). */
export function renderMetrics(sample: MetricsSample, opts: RenderMetricsOptions): string {
  return exposition(
    metricFamilies({
      ...sample,
      version: opts.version,
      ...(opts.caps ? { caps: opts.caps } : {}),
      ...(opts.dropped ? { dropped: opts.dropped } : {}),
    }),
  );
}
