/** What every socket command does with a snapshot's warnings, and its JSON shape. */
import type { Snapshot } from '../tcp/socket.js';
import type { Cli } from './output.js';

/** Prints the snapshot's warnings and what could not be seen, one line each, on stderr. */
export function warnSnapshot(cli: Cli, snap: Snapshot): void {
  for (const w of snap.warnings ?? []) cli.o.note(w);
  if (snap.unseen && snap.unseen.processes > 0 && snap.unseen.reason) cli.o.note(snap.unseen.reason);
}

/** `ls --json`: `{ time, source, netns, sockets, unseen }` (docs/json.md). */
export function snapshotJson(snap: Snapshot): object {
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
