/**
 * Honest attribution of sockets that no process holds (inode 0): request sockets and unaccepted
 * children belong to a listener's queue, closed connections are orphans or timewait sockets. Pure.
 * The owner of the listener is named in `attribution`, never in `owners`.
 * @see docs/json.md, "The socket" (`attribution`)
 */
import { isWildcard } from '../net/ip.js';
import type { Attribution, Socket } from '../tcp/socket.js';

/** What attribution needs to know of a socket. */
export type Attributable = Pick<Socket, 'state' | 'family' | 'local'>;

/** Sets `attribution` on every socket without an inode. Listeners' owners are used when known. */
export function attribute(sockets: readonly Socket[]): void {
  const of = attributor(sockets);
  for (const s of sockets) {
    if (s.inode !== 0) continue;
    s.attribution = of(s);
  }
}

/** The attribution of sockets without an inode, given the listeners among `sockets`. */
export function attributor(sockets: readonly Socket[]): (s: Attributable) => Attribution {
  const listeners = new Map<number, Socket[]>();
  for (const s of sockets) {
    if (s.state !== 'LISTEN') continue;
    const list = listeners.get(s.local.port);
    if (list) list.push(s);
    else listeners.set(s.local.port, [s]);
  }
  return (s) => attributionOf(s, listeners);
}

function attributionOf(s: Attributable, listeners: Map<number, Socket[]>): Attribution {
  switch (s.state) {
    case 'TIME_WAIT':
      return { kind: 'timewait' };
    case 'SYN_RECV':
    case 'ESTABLISHED':
    case 'CLOSE_WAIT': {
      const l = listenerFor(s, listeners.get(s.local.port));
      if (!l) return { kind: 'orphan' };
      const a: Attribution = { kind: s.state === 'SYN_RECV' ? 'request' : 'queued', port: l.local.port };
      const owner = l.owners?.length ? l.owners.reduce((a, b) => (b.pid < a.pid ? b : a)) : undefined;
      if (owner) {
        a.pid = owner.pid;
        a.command = owner.command;
      }
      return a;
    }
    default:
      // FIN_WAIT1, FIN_WAIT2 (also the timewait socket of an orphan in FIN_WAIT2), CLOSING, LAST_ACK.
      return { kind: 'orphan' };
  }
}

/** The listener a connection came in through: same port, same or wildcard address, same family first. */
function listenerFor(s: Attributable, candidates: Socket[] | undefined): Socket | undefined {
  if (!candidates) return undefined;
  let best: Socket | undefined;
  let bestScore = 0;
  for (const l of candidates) {
    const exact = l.local.address === s.local.address;
    if (!exact && !isWildcard(l.local.address)) continue;
    const score = (exact ? 2 : 1) + (l.family === s.family ? 4 : 0);
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}
