/**
 * A snapshot narrowed by a filter: the state part goes down to the reader, ports and addresses to
 * the kernel (netlink's bytecode), owners are looked up when the filter needs them, and the whole
 * filter runs as a predicate at the end.
 */
import { takeAllNetns } from './all-netns.js';
import { buildFilter, type FilterSpec, filterNeedsOwners } from './filter.js';
import { kernelFilter } from './kernel-filter.js';
import { type SnapshotOptions, type SnapshotWithIds, takeSnapshot } from './take.js';

/** The snapshot options a filter adds: states, family and the kernel's part. */
export function filterOptions(opts: SnapshotOptions, spec: FilterSpec): SnapshotOptions {
  const o: SnapshotOptions = { ...opts, owners: (opts.owners ?? false) || filterNeedsOwners(spec) };
  if (spec.states !== undefined) o.stateMask = spec.states;
  if (spec.family !== undefined) o.families = [spec.family];
  const k = kernelFilter(spec);
  if (k) o.filter = k.expr;
  return o;
}

/** Takes a snapshot and keeps the sockets that match `spec`. */
export async function selectSockets(opts: SnapshotOptions, spec: FilterSpec = {}): Promise<SnapshotWithIds> {
  const o = filterOptions(opts, spec);
  const snap = await (o.allNetns ? takeAllNetns(o) : takeSnapshot(o));
  const keep = buildFilter(spec);
  snap.sockets = snap.sockets.filter(keep);
  return snap;
}
