/**
 * Honest attribution of sockets that no process holds (inode 0): request sockets and unaccepted
 * children belong to a listener's queue, closed connections are orphans or timewait sockets. Pure.
 * The owner of the listener is named in `attribution`, never in `owners`.
 * @see docs/json.md, "The socket" (`attribution`)
 */
import { isWildcard } from '../net/ip.js';
import type { Attribution, Socket } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';

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

/**
 * What a socket no process holds is, by its state: a request or an unaccepted child in a listener's
 * queue (when a listener is found for it), a timewait socket, or an orphan (FIN_WAIT1, FIN_WAIT2,
 * the timewait socket of an orphan in FIN_WAIT2, CLOSING, LAST_ACK).
 */
export function queueKindOf(state: TcpState): Attribution['kind'] {
  if (state === 'TIME_WAIT') return 'timewait';
  if (state === 'SYN_RECV') return 'request';
  return state === 'ESTABLISHED' || state === 'CLOSE_WAIT' ? 'queued' : 'orphan';
}

function attributionOf(s: Attributable, listeners: Map<number, Socket[]>): Attribution {
  const kind = queueKindOf(s.state);
  if (kind !== 'request' && kind !== 'queued') return { kind };
  const l = bestListener(listeners.get(s.local.port), s.local.address, s.family, (x) => x.local.address);
  if (!l) return { kind: 'orphan' };
  const a: Attribution = { kind, port: l.local.port };
  const owner = l.owners?.length ? l.owners.reduce((a, b) => (b.pid < a.pid ? b : a)) : undefined;
  if (owner) {
    a.pid = owner.pid;
    a.command = owner.command;
  }
  return a;
}

/**
 * The listener a connection came in through, among those on its port: the same or a wildcard
 * address, the same family first.
 */
export function bestListener<L extends { family: number }>(
  candidates: readonly L[] | undefined,
  address: string,
  family: number,
  addressOf: (l: L) => string,
): L | undefined {
  if (!candidates) return undefined;
  let best: L | undefined;
  let bestScore = 0;
  for (const l of candidates) {
    const at = addressOf(l);
    const exact = at === address;
    if (!exact && !isWildcard(at)) continue;
    const score = (exact ? 2 : 1) + (l.family === family ? 4 : 0);
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}
