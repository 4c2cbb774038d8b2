/**
 * `pcap --by`: ends that are sockets counted by state, by the server's port or by the client's
 * address, in `count --by`'s shape. Counted where the connections are finished (a worker thread
 * counts its share, and the main thread adds the workers' counts up). (pure)
 */
import type { Conn } from '../../flow/index.js';
import { isSocket } from '../../flow/report.js';
import { TCP_STATES, type TcpState } from '../../tcp/states.js';

export const BY = ['state', 'port', 'peer'] as const;
export type By = (typeof BY)[number];

export type StateCounts = Partial<Record<TcpState, number>>;

export interface ByRow {
  key: string;
  other?: true;
  total: number;
  states: StateCounts;
}

/** Per key, ends per state (indexed as TCP_STATES): what a worker hands on. */
export type ByGroups = [string, number[]][];

const STATE_INDEX = new Map<TcpState, number>(TCP_STATES.map((s, i) => [s, i]));

export class ByCounts {
  /** Per key, ends per state (indexed as TCP_STATES). */
  private readonly groups = new Map<string, number[]>();
  constructor(readonly by: By) {}

  /** A connection the listing selects, with both ends' states at the moment asked. */
  add(r: {
    readonly c: Conn;
    readonly states: { readonly client: TcpState; readonly server: TcpState };
  }): void {
    const { client, server } = r.states;
    if (this.by === 'state') {
      if (isSocket(client)) this.count(client, client);
      if (isSocket(server)) this.count(server, server);
      return;
    }
    const key = this.by === 'port' ? String(r.c.server.port) : r.c.client.address;
    if (isSocket(client)) this.count(key, client);
    if (isSocket(server)) this.count(key, server);
  }

  /** The counts so far, to be added to another's with `merge`. */
  list(): ByGroups {
    return [...this.groups];
  }

  merge(groups: ByGroups): void {
    for (const [key, add] of groups) {
      const g = this.group(key);
      for (let i = 0; i < g.length; i++) g[i]! += add[i] ?? 0;
    }
  }

  private group(key: string): number[] {
    let g = this.groups.get(key);
    if (!g) {
      g = new Array<number>(TCP_STATES.length).fill(0);
      this.groups.set(key, g);
    }
    return g;
  }

  private count(key: string, s: TcpState): void {
    this.group(key)[STATE_INDEX.get(s)!]!++;
  }

  /** The `top` keys with the most ends, most first, and the others as one `(other)` row. */
  result(top: number): { by: string; rows: ByRow[] } {
    const all = [...this.groups].map(([key, g]): ByRow => {
      const states: StateCounts = {};
      let total = 0;
      TCP_STATES.forEach((s, i) => {
        if (g[i]! > 0) {
          states[s] = g[i]!;
          total += g[i]!;
        }
      });
      return { key, total, states };
    });
    all.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : 1));
    const by = this.by;
    if (all.length <= top) return { by, rows: all };
    const rest = all.slice(top);
    const states: StateCounts = {};
    for (const r of rest)
      for (const [s, v] of Object.entries(r.states) as [TcpState, number][]) states[s] = (states[s] ?? 0) + v;
    const other: ByRow = {
      key: '(other)',
      other: true,
      total: rest.reduce((n, r) => n + r.total, 0),
      states,
    };
    return { by, rows: [...all.slice(0, top), other] };
  }
}
