/** One connection model for the simulator, captures and traces: flow keys, connection traces, the flow table. */

export * from './key.js';
export * from './trace.js';
export * from './tracker.js';
