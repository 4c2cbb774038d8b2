/**
 * A snapshot narrowed by a filter: the state part goes down to the reader, owners are looked up
 * when the filter needs them, the rest is a predicate.
 */
import type { Snapshot } from '../tcp/socket.js';
import { buildFilter, type FilterSpec, filterNeedsOwners } from './filter.js';
import { type SnapshotOptions, takeSnapshot } from './take.js';

/** Takes a snapshot and keeps the sockets that match `spec`. */
export async function selectSockets(opts: SnapshotOptions, spec: FilterSpec = {}): Promise<Snapshot> {
  const o: SnapshotOptions = { ...opts, owners: (opts.owners ?? false) || filterNeedsOwners(spec) };
  if (spec.states !== undefined) o.stateMask = spec.states;
  if (spec.family !== undefined) o.families = [spec.family];
  const snap = await takeSnapshot(o);
  const keep = buildFilter(spec);
  snap.sockets = snap.sockets.filter(keep);
  return snap;
}
