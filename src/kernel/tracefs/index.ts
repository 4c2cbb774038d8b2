/** The tracefs source: live kernel events from a private instance, as typed values. */

export { makeDecoder } from './decode.js';
export * from './events.js';
export { kernelFilters, type TraceFilter } from './filter.js';
export { type EventFormat, type FieldFormat, parseEventFormat, parseHeaderPage } from './format.js';
export { removeStaleInstances, staleInstances } from './instance.js';
export { findTracefs, tracefsMounts } from './mount.js';
export { openTrace, type TraceOptions, type TraceSession, type TraceStats } from './open.js';
export { decodePage } from './ring.js';
export { type CpuBufferStats, parseCpuStats } from './stats.js';
export { lostInLine, parseTraceLine, parseTraceText } from './text.js';
