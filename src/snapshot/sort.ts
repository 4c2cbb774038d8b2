/** Sorting sockets by the keys `ls --sort` takes. Pure. */
import type { Socket } from '../tcp/socket.js';
import { stateCode } from '../tcp/states.js';

export const SORT_KEYS = [
  'state',
  'recvq',
  'sendq',
  'local',
  'peer',
  'sport',
  'dport',
  'pid',
  'process',
  'uid',
  'inode',
  'timer',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

// Made on first use: creating a collator loads ICU data (about 6 ms), which start-up need not pay.
let collatorMade: Intl.Collator | undefined;
const collator = {
  compare: (a: string, b: string): number => {
    collatorMade ??= new Intl.Collator('en', { numeric: true });
    return collatorMade.compare(a, b);
  },
};

const COMPARE: Record<SortKey, (a: Socket, b: Socket) => number> = {
  state: (a, b) => stateCode(a.state) - stateCode(b.state),
  recvq: (a, b) => a.recvQ - b.recvQ,
  sendq: (a, b) => a.sendQ - b.sendQ,
  local: (a, b) => collator.compare(a.local.address, b.local.address) || a.local.port - b.local.port,
  peer: (a, b) => collator.compare(a.remote.address, b.remote.address) || a.remote.port - b.remote.port,
  sport: (a, b) => a.local.port - b.local.port,
  dport: (a, b) => a.remote.port - b.remote.port,
  pid: (a, b) => pidOf(a) - pidOf(b),
  process: (a, b) => collator.compare(commandOf(a), commandOf(b)),
  uid: (a, b) => a.uid - b.uid,
  inode: (a, b) => a.inode - b.inode,
  timer: (a, b) => (a.timer?.expiresMs ?? 0) - (b.timer?.expiresMs ?? 0),
};

function pidOf(s: Socket): number {
  return s.owners?.[0]?.pid ?? s.attribution?.pid ?? 0;
}

function commandOf(s: Socket): string {
  return s.owners?.[0]?.command ?? s.attribution?.command ?? '';
}

/** Sorts in place by the keys in order (ties broken by the next key), stable. */
export function sortSockets(sockets: Socket[], keys: readonly SortKey[], reverse = false): Socket[] {
  const cmps = keys.map((k) => COMPARE[k]);
  const sign = reverse ? -1 : 1;
  return sockets.sort((a, b) => {
    for (const c of cmps) {
      const d = c(a, b);
      if (d !== 0) return sign * d;
    }
    return 0;
  });
}
