/** The transition stream: kernel events (or sampled tables) as transitions, lives and state durations. */
export { itemFilter } from './filter.js';
export {
  type ConnectionLife,
  type DurationHistogram,
  LifeTracker,
  StateDurations,
  UNMEASURED,
} from './life.js';
export { procOwnerLookup } from './owners.js';
export { diffTables, indexSockets, tupleKey } from './sampled.js';
export { openTransitions, type TransitionOptions, type TransitionStream } from './stream.js';
export { errnoOf, type OwnerLookup, stateName, type TrackerCounts, TransitionTracker } from './track.js';
export type { TraceItem, TraceNote, TraceOwner, TraceTransition } from './types.js';
