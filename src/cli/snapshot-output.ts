/** What every socket command does with a snapshot: its warnings and its columns (its JSON: views/ls.ts). */
import { localText, netnsText, ownerText, peerText, stateText, timerText } from '../render/socket-text.js';
import type { Column } from '../render/table.js';
import { memoryText, tcpInfoText } from '../render/tcp-info-text.js';
import { ownersHidden, type Snapshot, type Socket } from '../tcp/socket.js';
import type { Cli } from './output.js';
import { stateColour } from './paint-state.js';

/** The socket columns `ls`, `who` and `kill` choose from, in the order they appear. */
export type SocketColumn =
  | 'netns'
  | 'state'
  | 'recvQ'
  | 'sendQ'
  | 'local'
  | 'peer'
  | 'timer'
  | 'uid'
  | 'inode'
  | 'process'
  | 'memory'
  | 'info';

/** Each column once: ss's headers where the column is ss's. */
function columnOf(cli: Cli, name: SocketColumn): Column<Socket> {
  switch (name) {
    case 'netns':
      return { header: 'Netns', get: (s) => (s.netns ? netnsText(s.netns) : '') };
    case 'state':
      return { header: 'State', get: (s) => stateText(s.state), paint: (p, v) => stateColour(cli.o, v, p) };
    case 'recvQ':
      return { header: 'Recv-Q', get: (s) => String(s.recvQ), align: 'right' };
    case 'sendQ':
      return { header: 'Send-Q', get: (s) => String(s.sendQ), align: 'right' };
    case 'local':
      return { header: 'Local Address:Port', get: localText };
    case 'peer':
      return { header: 'Peer Address:Port', get: peerText };
    case 'timer':
      return { header: 'Timer', get: (s) => timerText(s.timer) };
    case 'uid':
      return { header: 'UID', get: (s) => String(s.uid), align: 'right' };
    case 'inode':
      return { header: 'Inode', get: (s) => String(s.inode), align: 'right' };
    case 'process':
      return { header: 'Process', get: ownerText };
    case 'memory':
      return { header: 'Memory', get: (s) => memoryText(s.memory) };
    case 'info':
      return { header: 'Info', get: tcpInfoText };
  }
}

/** The columns named, in the canonical order whatever the order asked (so every table reads alike). */
export function socketColumns(cli: Cli, names: Iterable<SocketColumn | false | undefined>): Column<Socket>[] {
  const want = new Set<SocketColumn>();
  for (const n of names) if (n) want.add(n);
  return SOCKET_COLUMNS.filter((n) => want.has(n)).map((n) => columnOf(cli, n));
}

const SOCKET_COLUMNS: readonly SocketColumn[] = [
  'netns',
  'state',
  'recvQ',
  'sendQ',
  'local',
  'peer',
  'timer',
  'uid',
  'inode',
  'process',
  'memory',
  'info',
];

/** State, queues and both ends: what every socket table starts with (ss -tan's columns). */
export const BASE_COLUMNS: readonly SocketColumn[] = ['state', 'recvQ', 'sendQ', 'local', 'peer'];

/** Prints the snapshot's warnings and what could not be seen, one line each, on stderr. */
export function warnSnapshot(cli: Cli, snap: Snapshot): void {
  for (const w of snap.warnings ?? []) cli.o.note(w);
  if (ownersHidden(snap.unseen) && snap.unseen?.reason) cli.o.note(snap.unseen.reason);
}
