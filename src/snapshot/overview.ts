/**
 * The one-screen overview of a namespace: counts per state, the listening ports with their
 * programs and exposure, and for each state where its sockets are. Pure: built from a snapshot.
 */
import { isLoopback, isWildcard } from '../net/ip.js';
import { processKey } from '../render/socket-text.js';
import type { NetnsRef, Snapshot, Socket, Unseen } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import { countStates, type StateCounts, topValues } from './aggregate.js';

export interface ListeningPort {
  port: number;
  /** Bound addresses, wildcards as `0.0.0.0` and `::`. */
  addresses: string[];
  /** `all` when bound to a wildcard, `loopback` when only to loopback, else `specific`. */
  exposure: 'all' | 'loopback' | 'specific';
  /** `command[pid]` of each holder; empty when owners are unknown or unseen. */
  programs: string[];
  /** Connections waiting in the accept queues (Recv-Q of the listeners, summed). */
  acceptQueue: number;
  /**
   * The listeners' limits summed (Send-Q), when the source knows them (netlink). Each listener has
   * a queue of its own: `listeners` has them one by one.
   */
  backlog?: number;
  /** Each listening socket on the port (v4 and v6, SO_REUSEPORT siblings) with its own queue. */
  listeners: ListenerQueue[];
  /** A listener's queue is over its limit: Linux admits backlog + 1, then drops or delays handshakes. */
  full?: true;
}

/** One listening socket's accept queue. */
export interface ListenerQueue {
  address: string;
  /** Connections waiting to be accepted (Recv-Q). */
  acceptQueue: number;
  /** Its limit (Send-Q; netlink only). */
  backlog?: number;
  full?: true;
}

export interface StatePlaces {
  state: TcpState;
  count: number;
  /** `:443` for a local service port (a listener has it), `→443` for a remote one. */
  ports: [string, number][];
  processes: [string, number][];
  peers: [string, number][];
}

export interface OtherNetns {
  namespaces: number;
  sockets: number;
  /** Namespaces whose tables could not be read. */
  unread: number;
}

/** What `tcpscope --json` prints, with the findings (docs/json.md). */
export interface Overview {
  time: string;
  netns?: NetnsRef;
  total: number;
  states: StateCounts;
  listening: ListeningPort[];
  places: StatePlaces[];
  otherNetns?: OtherNetns;
  unseen?: Unseen;
}

/** Builds the overview of a snapshot taken with owners. */
export function buildOverview(snap: Snapshot, top = 3): Overview {
  const { total, states } = countStates(snap.sockets);
  const listening = listeningPorts(snap.sockets, snap.source === 'netlink');
  const servicePorts = new Set(listening.map((l) => l.port));
  // Keys are counted over every socket: their strings are made once a port and once a process.
  const local: string[] = [];
  const remote: string[] = [];
  const serviceKey = (s: Socket): string => {
    const mine = servicePorts.has(s.local.port);
    const port = mine ? s.local.port : s.remote.port;
    const texts = mine ? local : remote;
    let k = texts[port];
    if (k === undefined) {
      k = `${mine ? ':' : '→'}${port}`;
      texts[port] = k;
    }
    return k;
  };
  const byPid = new Map<number, string>();
  const processOf = (s: Socket): string => {
    const o = s.owners?.[0];
    if (!o) return processKey(s);
    let k = byPid.get(o.pid);
    if (k === undefined) {
      k = processKey(s);
      byPid.set(o.pid, k);
    }
    return k;
  };
  const byState = new Map<TcpState, Socket[]>();
  for (const s of snap.sockets) {
    if (s.state === 'LISTEN') continue;
    const of = byState.get(s.state);
    if (of) of.push(s);
    else byState.set(s.state, [s]);
  }
  const places: StatePlaces[] = [];
  for (const state of TCP_STATES) {
    const of = byState.get(state);
    if (!of) continue;
    places.push({
      state,
      count: of.length,
      ports: topValues(of, serviceKey, top),
      processes: topValues(of, processOf, top),
      peers: topValues(of, (s) => s.remote.address, top),
    });
  }
  places.sort((a, b) => b.count - a.count);
  const o: Overview = { time: snap.time, total, states, listening, places };
  if (snap.netns) o.netns = snap.netns;
  if (snap.unseen) o.unseen = snap.unseen;
  return o;
}

/** Whether a listener's accept queue is full (include/net/sock.h sk_acceptq_is_full: queue > backlog). */
export function acceptQueueFull(s: Socket): boolean {
  return s.state === 'LISTEN' && s.recvQ > s.sendQ;
}

function listeningPorts(sockets: readonly Socket[], knowsBacklog: boolean): ListeningPort[] {
  const byPort = new Map<number, Socket[]>();
  for (const s of sockets) {
    if (s.state !== 'LISTEN') continue;
    const l = byPort.get(s.local.port);
    if (l) l.push(s);
    else byPort.set(s.local.port, [s]);
  }
  return [...byPort]
    .sort((a, b) => a[0] - b[0])
    .map(([port, list]) => {
      const addresses = [...new Set(list.map((s) => s.local.address))];
      const exposure = addresses.some(isWildcard)
        ? 'all'
        : addresses.every(isLoopback)
          ? 'loopback'
          : 'specific';
      const programs = [
        ...new Set(list.flatMap((s) => (s.owners ?? []).map((o) => `${o.command}[${o.pid}]`))),
      ];
      const acceptQueue = list.reduce((n, s) => n + s.recvQ, 0);
      const listeners = list.map((s): ListenerQueue => {
        const q: ListenerQueue = { address: s.local.address, acceptQueue: s.recvQ };
        if (knowsBacklog) q.backlog = s.sendQ;
        if (knowsBacklog && acceptQueueFull(s)) q.full = true;
        return q;
      });
      const l: ListeningPort = { port, addresses, exposure, programs, acceptQueue, listeners };
      if (knowsBacklog) {
        l.backlog = list.reduce((n, s) => n + s.sendQ, 0);
        if (list.some(acceptQueueFull)) l.full = true;
      }
      return l;
    });
}
