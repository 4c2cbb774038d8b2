/**
 * The `lsof -i:PORT` answer: the processes holding sockets with that port at either end, and the
 * sockets nobody holds. Pure.
 */
import { formatIpv6, isWildcard, parseIp } from '../net/ip.js';
import type { Attribution, Socket } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';

export interface WhoTarget {
  address?: string;
  port: number;
}

export interface WhoProcess {
  pid: number;
  command: string;
  user: string;
  sockets: Socket[];
}

export interface WhoResult {
  address?: string;
  port: number;
  processes: WhoProcess[];
  unowned: Socket[];
}

/** `8080`, `:8080`, `10.0.0.1:8080`, `[::1]:8080`; undefined when it is none of these. */
export function parseWhoTarget(text: string): WhoTarget | undefined {
  const t = text.trim();
  let addr: string | undefined;
  let portText: string;
  if (/^:?\d+$/.test(t)) portText = t.replace(':', '');
  else {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^(.+):(\d+)$/.exec(t);
    if (!m) return undefined;
    addr = m[1]!;
    portText = m[2]!;
  }
  const port = Number(portText);
  // Port 0 is no port: it is what a listener's peer and an unbound socket carry.
  if (portText.length > 5 || port < 1 || port > 65535) return undefined;
  if (addr === undefined) return { port };
  const bytes = parseIp(addr);
  return bytes ? { address: formatIpv6(bytes), port } : undefined;
}

/** Whether a socket has the target's port (and address, when given) at one of its ends. */
export function matchesTarget(s: Socket, t: WhoTarget): boolean {
  const atLocal = s.local.port === t.port && (t.address === undefined || s.local.address === t.address);
  const atRemote = s.remote.port === t.port && (t.address === undefined || s.remote.address === t.address);
  return atLocal || atRemote;
}

/** Groups the matching sockets by the processes holding them, in pid order. */
export function whoHolds(sockets: readonly Socket[], t: WhoTarget): WhoResult {
  const byPid = new Map<number, WhoProcess>();
  const unowned: Socket[] = [];
  for (const s of sockets) {
    if (!matchesTarget(s, t)) continue;
    if (!s.owners || s.owners.length === 0) {
      unowned.push(s);
      continue;
    }
    const seen = new Set<number>();
    for (const o of s.owners) {
      if (seen.has(o.pid)) continue;
      seen.add(o.pid);
      let p = byPid.get(o.pid);
      if (!p) {
        p = { pid: o.pid, command: o.command, user: o.user, sockets: [] };
        byPid.set(o.pid, p);
      }
      p.sockets.push(s);
    }
  }
  const result: WhoResult = {
    port: t.port,
    processes: [...byPid.values()].sort((a, b) => a.pid - b.pid),
    unowned,
  };
  if (t.address !== undefined) result.address = t.address;
  return result;
}

/** Sockets of one state (and, for sockets nobody holds, one attribution), summed up. */
export interface SocketGroup {
  state: TcpState;
  count: number;
  /** What the sockets nobody holds are (TIME_WAIT, orphan, queued on a listener...): the first's. */
  attribution?: Attribution;
  /** The local ends, most frequent first, with how many sockets each and one of them: at most `top`. */
  locals: { address: string; port: number; count: number; sample: Socket }[];
  /** Distinct local ends in all. */
  localCount: number;
  /** The peer addresses (wildcards left out), most frequent first, at most `top`. */
  peers: { address: string; count: number }[];
  /** Distinct peer addresses in all. */
  peerCount: number;
}

/**
 * Sockets grouped by state (and by attribution: kind, listener), largest group first, with their
 * top local ends and peers: how `who` shows thousands of sockets in a few lines.
 */
export function groupSockets(sockets: readonly Socket[], top = 3): SocketGroup[] {
  const groups = new Map<string, { first: Socket; list: Socket[] }>();
  for (const s of sockets) {
    const a = s.attribution;
    const key = a ? `${s.state} ${a.kind} ${a.pid ?? ''} ${a.port ?? ''}` : s.state;
    let g = groups.get(key);
    if (!g) {
      g = { first: s, list: [] };
      groups.set(key, g);
    }
    g.list.push(s);
  }
  const out: SocketGroup[] = [];
  for (const { first, list } of groups.values()) {
    const samples = new Map<string, Socket>();
    const locals = tally(list, (s) => {
      const k = `${s.local.address} ${s.local.port}`;
      if (!samples.has(k)) samples.set(k, s);
      return k;
    });
    const peers = tally(list, (s) =>
      s.remote.port === 0 && isWildcard(s.remote.address) ? undefined : s.remote.address,
    );
    const g: SocketGroup = {
      state: first.state,
      count: list.length,
      locals: locals.slice(0, top).map(([k, count]) => {
        const [address, port] = k.split(' ');
        return { address: address!, port: Number(port), count, sample: samples.get(k)! };
      }),
      localCount: locals.length,
      peers: peers.slice(0, top).map(([address, count]) => ({ address, count })),
      peerCount: peers.length,
    };
    if (first.attribution) g.attribution = first.attribution;
    out.push(g);
  }
  return out.sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

/** Counts of each key, most frequent first (ties in first-seen order); undefined keys are skipped. */
function tally(list: readonly Socket[], key: (s: Socket) => string | undefined): [string, number][] {
  const n = new Map<string, number>();
  for (const s of list) {
    const k = key(s);
    if (k !== undefined) n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].sort((a, b) => b[1] - a[1]);
}
