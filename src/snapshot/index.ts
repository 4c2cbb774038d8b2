/** Snapshots of the socket table, their filters and attribution. */

export {
  type CountByResult,
  type CountKey,
  type CountResult,
  countBy,
  countStates,
  topValues,
} from './aggregate.js';
export { allNetnsTargets, takeAllNetns } from './all-netns.js';
export { attribute } from './attribute.js';
export { type CloseOutcome, closeSockets, findSocketsToClose } from './close.js';
export { buildFilter, type FilterSpec, filterNeedsOwners } from './filter.js';
export { type KernelFilter, kernelFilter } from './kernel-filter.js';
export { selectSockets } from './select.js';
export { SORT_KEYS, type SortKey, sortSockets } from './sort.js';
export { SOURCE_CHOICES, type SourceChoice } from './source.js';
export { streamSocketsJson } from './stream-json.js';
export { type Summary, takeSummary } from './summary.js';
export { countStatesFast, type SnapshotOptions, takeSnapshot } from './take.js';
export { matchesTarget, parseWhoTarget, type WhoResult, type WhoTarget, whoHolds } from './who.js';
