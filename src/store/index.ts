/** The history: `record` writes it, `report` and the web server read it (src/store/). */
export {
  type FindingStretch,
  type History,
  type KeyedRow,
  type Moment,
  openHistory,
  processMatches,
  type SeriesPoint,
  type SeriesQuery,
} from './history.js';
export { defaultHistoryPath } from './paths.js';
export {
  chooseLevel,
  DEFAULT_RETAIN_MS,
  LEVELS,
  type Level,
  MIN_RETAIN_MS,
  type Retention,
  retentionOf,
  STEP_MS,
} from './retention.js';
export { type Agg, bucketOf, coarsen, type Span } from './rollup.js';
export { type SampleInput, type SampleRows, sampleRows } from './sample-rows.js';
export { SCHEMA_VERSION } from './schema.js';
export { formatDuration, parseDuration, parseMoment } from './time-parse.js';
export { type HistoryWriter, openHistoryWriter } from './writer.js';
