/** The TCP model: states, names and groups, the socket shapes, the knowledge base, segments and the endpoint state machine. Imports nothing of the project. */
export * from './fsm.js';
export { acceptable, classify, retryLimit } from './fsm-classify.js';
export { type ObservedTransitions, observedTransitions, observeStep } from './fsm-observe.js';
export { DRIVING_CLASSES, exampleEvent, shortestPaths } from './fsm-paths.js';
export { resetFor } from './fsm-reply.js';
export { isDefinedCell, outcomeOf, TRANSITION_TABLE } from './fsm-table.js';
export * from './fsm-types.js';
export * from './knowledge/index.js';
export * from './segment.js';
export * from './seq.js';
export * from './socket.js';
export * from './state-names.js';
export * from './states.js';
export * from './tcp-info.js';
