/** Prometheus exposition: the families of docs/metrics.md from one sample, and the text format. */
export {
  exposition,
  type Labels,
  type MetricFamily,
  type MetricSample,
  type MetricType,
} from './exposition.js';
export {
  type ConnectFailureCount,
  DEFAULT_CAPS,
  type MetricsCaps,
  type MetricsFinding,
  type MetricsInput,
  metricFamilies,
  NODE_NETSTAT,
  stateLabel,
} from './families.js';
export {
  METRICS_CONTENT_TYPE,
  type MetricsSample,
  type RenderMetricsOptions,
  renderMetrics,
} from './render.js';
