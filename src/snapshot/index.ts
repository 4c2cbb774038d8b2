/** Snapshots of the socket table, their filters and attribution. */

export {
  type CountByResult,
  type CountKey,
  type CountResult,
  countBy,
  countStates,
  topValues,
} from './aggregate.js';
export { attribute } from './attribute.js';
export { buildFilter, type FilterSpec, filterNeedsOwners } from './filter.js';
export { selectSockets } from './select.js';
export { SORT_KEYS, type SortKey, sortSockets } from './sort.js';
export { type SnapshotOptions, takeSnapshot } from './take.js';
export { matchesTarget, parseWhoTarget, type WhoResult, type WhoTarget, whoHolds } from './who.js';
