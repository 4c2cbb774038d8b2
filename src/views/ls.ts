/**
 * `ls --json`: `{ time, source, netns, namespaces?, sockets, unseen, malformed?, interrupted? }`
 * (docs/json.md). `snapshot/stream-json.ts` writes the same bytes straight from the kernel's replies.
 */
import type { Snapshot } from '../tcp/socket.js';

/** The `ls --json` shape of a snapshot. */
export function lsView(snap: Snapshot): object {
  const out: Record<string, unknown> = { time: snap.time, source: snap.source };
  if (snap.netns) out['netns'] = snap.netns;
  if (snap.namespaces) out['namespaces'] = snap.namespaces;
  out['sockets'] = snap.sockets;
  if (snap.unseen) out['unseen'] = snap.unseen;
  else if (snap.sockets.some((s) => s.owners)) out['unseen'] = { processes: 0 };
  if (snap.malformed) out['malformed'] = snap.malformed;
  if (snap.interrupted) out['interrupted'] = true;
  return out;
}
