/**
 * Closing sockets that match a filter, as `ss -K` does: find them over netlink (their exact ids),
 * then SOCK_DESTROY each. The caller shows the list and asks first. Sequencing only.
 */
import { UsageError } from '../errors.js';
import type { Socket } from '../tcp/socket.js';
import type { FilterSpec } from './filter.js';
import { selectSockets } from './select.js';
import { destroyInNetns } from './source.js';
import { type SnapshotOptions, type SnapshotWithIds, targetOf } from './take.js';

/** errno values SOCK_DESTROY answers with, in words. */
const REASONS: Readonly<Record<number, string>> = {
  1: 'permission denied: needs root (CAP_NET_ADMIN)',
  2: 'already gone',
  95: 'not supported: the kernel lacks CONFIG_INET_DIAG_DESTROY',
};
const ENOENT = 2;

export interface CloseOutcome {
  /** Closed now. */
  closed: Socket[];
  /** Gone before we got to them (ENOENT): nothing left to close. */
  gone: Socket[];
  failed: { socket: Socket; errno: number; reason: string }[];
}

/** The sockets a filter matches, with their netlink ids. Refuses an empty filter. */
export async function findSocketsToClose(opts: SnapshotOptions, spec: FilterSpec): Promise<SnapshotWithIds> {
  if (Object.keys(spec).length === 0) {
    throw new UsageError(
      'kill: refusing to close every socket: give a filter (-s, --port, --dst, --pid, ...)',
    );
  }
  return selectSockets({ ...opts, source: 'netlink', ids: true, owners: true }, spec);
}

/** Closes the sockets of a snapshot taken by findSocketsToClose. */
export async function closeSockets(opts: SnapshotOptions, snap: SnapshotWithIds): Promise<CloseOutcome> {
  const ids = snap.sockets.map((s) => {
    const id = snap.ids?.get(s);
    if (!id) throw new Error('closeSockets: a socket has no netlink id');
    return id;
  });
  const errnos = await destroyInNetns(targetOf(opts), ids);
  const out: CloseOutcome = { closed: [], gone: [], failed: [] };
  snap.sockets.forEach((socket, i) => {
    const errno = errnos[i]!;
    if (errno === 0) out.closed.push(socket);
    else if (errno === ENOENT) out.gone.push(socket);
    else out.failed.push({ socket, errno, reason: REASONS[errno] ?? `errno ${errno}` });
  });
  return out;
}
