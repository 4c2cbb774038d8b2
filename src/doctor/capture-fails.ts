/**
 * Handshakes that failed in a capture, tallied as the tracker finishes them: per server, those left
 * half-open (syn-flood) and those refused (connect-failures); per source, the destinations that
 * failed (scan). Counts and peers, not connections: a SYN flood of millions costs a count per
 * source, where keeping its connections cost a kilobyte each. Tallies of parts of a capture (its
 * flows shared between threads) add up to the tally of the whole. (pure)
 */
import type { Conn } from '../flow/tracker.js';
import { endpointOf } from '../net/endpoint.js';

/** The server sent SYN+ACK (Zeek's `h`). */
export const synAcked = (c: Conn): boolean => c.history.includes('h');
/** A SYN answered by RST, nothing else from the server (Zeek's REJ). */
export const refused = (c: Conn): boolean => !c.midstream && c.connState === 'REJ';
/** A handshake that never completed and was not refused. */
export const halfOpen = (c: Conn): boolean =>
  !c.midstream && c.anomalies.includes('handshake-incomplete') && !refused(c);
export const completed = (c: Conn): boolean => !c.anomalies.includes('handshake-incomplete');
export const serverOf = (c: Conn): string => endpointOf(c.server);

/** Failed handshakes to one server. */
export interface ServerFails {
  /** The number of its first connection: groups are listed in that order. */
  first: number;
  readonly port: number;
  count: number;
  /** Half-open ones whose SYN+ACK the server sent again, and whose SYN was never answered. */
  synAckRetrans: number;
  unanswered: number;
  /** Connections per client address. */
  readonly peers: Map<string, number>;
}

/**
 * Failed handshakes from one source. Most sources of a flood fail once, so a source holds its first
 * destination and port as they are until a second one differs.
 */
export interface SourceFails {
  first: number;
  count: number;
  readonly dest: string;
  readonly port: number;
  /** Once a second destination or port came: every destination, and connections per port. */
  more?: { readonly dests: Set<string>; readonly ports: Map<number, number> };
}

/** The tallies as plain data (what a worker thread hands on; structured clone keeps Maps and Sets). */
export interface FailState {
  readonly flood: Map<string, ServerFails>;
  readonly refused: Map<string, ServerFails>;
  readonly scan: Map<string, SourceFails>;
  readonly total: number;
}

export class FailTallies {
  readonly flood = new Map<string, ServerFails>();
  readonly refused = new Map<string, ServerFails>();
  /** Per source address, half-open and refused together. */
  readonly scan = new Map<string, SourceFails>();
  /** Connections tallied. */
  total = 0;

  /** Tallies `c` when its handshake failed (half-open or refused); false for any other. */
  add(c: Conn): boolean {
    const open = halfOpen(c);
    if (!open && !refused(c)) return false;
    this.total++;
    const srv = serverOf(c);
    const g = serverGroup(open ? this.flood : this.refused, srv, c.n, c.server.port);
    g.count++;
    if (open) {
      if (!synAcked(c)) g.unanswered++;
      else if (c.server.retransmissions > 0) g.synAckRetrans++;
    }
    g.peers.set(c.client.address, (g.peers.get(c.client.address) ?? 0) + 1);
    addSource(this.scan, c.client.address, c.n, srv, c.server.port, 1);
    return true;
  }

  state(): FailState {
    return { flood: this.flood, refused: this.refused, scan: this.scan, total: this.total };
  }

  /** Adds another's tallies (of other flows). */
  merge(o: FailState): void {
    this.total += o.total;
    for (const [mine, theirs] of [
      [this.flood, o.flood],
      [this.refused, o.refused],
    ] as const)
      for (const [srv, t] of theirs) {
        const g = serverGroup(mine, srv, t.first, t.port);
        g.count += t.count;
        g.synAckRetrans += t.synAckRetrans;
        g.unanswered += t.unanswered;
        for (const [a, n] of t.peers) g.peers.set(a, (g.peers.get(a) ?? 0) + n);
      }
    for (const [src, t] of o.scan) {
      if (!t.more) {
        addSource(this.scan, src, t.first, t.dest, t.port, t.count);
        continue;
      }
      for (const d of t.more.dests) addSource(this.scan, src, t.first, d, t.port, 0);
      for (const [p, n] of t.more.ports) addSource(this.scan, src, t.first, t.dest, p, n);
    }
  }
}

/** The groups in order of their first connection. */
export function inOrder<T extends { first: number }>(m: Map<string, T>): [string, T][] {
  return [...m].sort((a, b) => a[1].first - b[1].first);
}

function serverGroup(m: Map<string, ServerFails>, srv: string, n: number, port: number): ServerFails {
  let g = m.get(srv);
  if (!g) {
    g = { first: n, port, count: 0, synAckRetrans: 0, unanswered: 0, peers: new Map() };
    m.set(srv, g);
  } else if (n < g.first) g.first = n;
  return g;
}

/** `k` failed connections from `src` to `dest`, port `port` (k 0: the destination alone). */
function addSource(
  m: Map<string, SourceFails>,
  src: string,
  n: number,
  dest: string,
  port: number,
  k: number,
): void {
  let s = m.get(src);
  if (!s) {
    s = { first: n, count: 0, dest, port };
    m.set(src, s);
  } else if (n < s.first) s.first = n;
  s.count += k;
  if (!s.more) {
    if (dest === s.dest && port === s.port) return;
    s.more = { dests: new Set([s.dest]), ports: new Map([[s.port, s.count - k]]) };
  }
  s.more.dests.add(dest);
  if (k > 0) s.more.ports.set(port, (s.more.ports.get(port) ?? 0) + k);
}

/** A source's destinations, and its connections per port. */
export function sourceDetail(s: SourceFails): { dests: number; ports: Map<number, number> } {
  return s.more
    ? { dests: s.more.dests.size, ports: s.more.ports }
    : { dests: 1, ports: new Map([[s.port, s.count]]) };
}
