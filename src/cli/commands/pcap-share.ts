/**
 * What `pcap`'s threads share: which thread tracks a segment's flow, the messages of a worker, the
 * listing's selection of a connection, and the numbering that turns each worker's connections,
 * known by the place of their first packet in the capture, into the one tracker's 1, 2, 3... (pure)
 */
import type { CaptureStats } from '../../capture/index.js';
import type { FailState } from '../../doctor/capture-fails.js';
import type { WireFactsState } from '../../doctor/capture-rules.js';
import type { Conn } from '../../flow/index.js';
import { isSocket, statesAt } from '../../flow/report.js';
import { endpointOf } from '../../net/endpoint.js';
import type { WirePacket } from '../../net/packet.js';
import { type FilterSpec, portIn } from '../../snapshot/filter.js';
import { maskHas } from '../../tcp/state-names.js';
import type { TcpState } from '../../tcp/states.js';
import type { By, ByGroups } from './pcap-by.js';

/** A connection with both ends' states at the moment asked (the end of the capture by default). */
export interface Row {
  readonly c: Conn;
  readonly states: { client: TcpState; server: TcpState };
}

/** A connection as the listing shows it, or undefined when the filters or the moment leave it out. */
export function selectOne(c: Conn, spec: FilterSpec, atUs: number | undefined): Row | undefined {
  const states =
    atUs === undefined
      ? {
          client: c.client.states.at(-1)?.state ?? 'CLOSE',
          server: c.server.states.at(-1)?.state ?? 'CLOSE',
        }
      : statesAt(c, atUs);
  if (!states) return undefined;
  // At a moment, netstat lists only what exists then.
  if (atUs !== undefined && !isSocket(states.client) && !isSocket(states.server)) return undefined;
  if (!matches(spec, c, states)) return undefined;
  return { c, states };
}

/** A connection as the listing's table shows it: its number and its other cells, as text. */
export interface Listed {
  readonly n: number;
  readonly cells: readonly string[];
}

/** The listing's columns after ID: header, alignment, whether the cell is a state, and the cell. */
export const LIST_COLUMNS: readonly {
  readonly header: string;
  readonly right?: true;
  readonly state?: true;
  readonly get: (r: Row) => string;
}[] = [
  { header: 'START', get: (r) => timeOfDay(r.c.startUs) },
  { header: 'DURATION', get: (r) => duration(r.c.lastUs - r.c.startUs), right: true },
  { header: 'CLIENT', get: (r) => endpointOf(r.c.client) },
  { header: 'SERVER', get: (r) => endpointOf(r.c.server) },
  { header: 'CLIENT STATE', get: (r) => r.states.client, state: true },
  { header: 'SERVER STATE', get: (r) => r.states.server, state: true },
  { header: 'CONN', get: (r) => r.c.connState },
  { header: 'HISTORY', get: (r) => r.c.history },
  { header: 'PKTS C/S', get: (r) => `${r.c.client.packets}/${r.c.server.packets}`, right: true },
  { header: 'BYTES C/S', get: (r) => `${r.c.client.bytes}/${r.c.server.bytes}`, right: true },
  {
    header: 'RETX',
    get: (r) => String(r.c.client.retransmissions + r.c.server.retransmissions),
    right: true,
  },
  { header: 'CLOSED BY', get: (r) => (r.c.firstClose ? `${r.c.firstClose.end} ${r.c.firstClose.how}` : '-') },
  { header: 'NOTES', get: (r) => r.c.anomalies.join(',') || '-' },
];

/** What parts the cells of a row, and the rows, in a worker's batch: no cell has them. */
export const CELL = '\x1f';
export const ROW = '\x1e';

/** The listing's cells of a row (after its ID). */
export function listCells(r: Row): string[] {
  const cells = new Array<string>(LIST_COLUMNS.length);
  for (let i = 0; i < LIST_COLUMNS.length; i++) cells[i] = LIST_COLUMNS[i]!.get(r);
  return cells;
}

/** `12:00:03.250` in the local time zone, as tcpdump prints times. */
function timeOfDay(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function duration(us: number): string {
  if (us < 1000) return `${us}us`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)}ms`;
  return `${(us / 1_000_000).toFixed(3)}s`;
}

function matches(spec: FilterSpec, c: Conn, st: Row['states']): boolean {
  const { states, ports, sports, dports, src, dst, family } = spec;
  if (states !== undefined && !maskHas(states, st.client) && !maskHas(states, st.server)) return false;
  if (family !== undefined && c.family !== family) return false;
  if (ports && !portIn(ports, c.client.port) && !portIn(ports, c.server.port)) return false;
  if (sports && !portIn(sports, c.client.port)) return false;
  if (dports && !portIn(dports, c.server.port)) return false;
  if (src && !src(c.client.address)) return false;
  if (dst && !dst(c.server.address)) return false;
  return true;
}

/**
 * The thread of `parts` that tracks this segment's flow: from both ports and the last character of
 * both addresses, each end mixed apart and then added, so the same whichever way the segment goes.
 * (Linux gives connect() even ports and listeners are often odd: a plain XOR of the ports would put
 * every flow on one side.)
 */
export function shareOf(p: WirePacket, parts: number): number {
  const a = Math.imul(p.sport + 1, 0x9e3779b1) ^ Math.imul(p.src.charCodeAt(p.src.length - 1), 0x85ebca6b);
  const b = Math.imul(p.dport + 1, 0x9e3779b1) ^ Math.imul(p.dst.charCodeAt(p.dst.length - 1), 0x85ebca6b);
  return (((a + b) >>> 0) >>> 16) % parts;
}

export type WorkerMode = 'json' | 'cells' | 'conns' | 'by' | 'doctor';

/** What a worker is given. */
export interface WorkerInput {
  readonly file: string;
  readonly part: number;
  readonly parts: number;
  readonly maxFlows: number;
  /**
   * What the worker hands on of the connections the filters select: the listing's JSON bytes
   * (`--json`), the listing's cells (the table), the connections themselves (`--at`, few), or
   * only counts (`--by`, at the end); or, for `doctor --pcap`, the connections a rule may name
   * (`keptOf`), the failed handshakes tallied, the others counted, and the wire facts of its flows.
   */
  readonly mode: WorkerMode;
  readonly by?: By;
  /** The moment `--at` names, in µs since the epoch. */
  readonly atUs?: number;
  /** The command's filter flags. */
  readonly filters: unknown;
  /** A SharedArrayBuffer of one Int32 per worker: how many batches the main thread allows it. */
  readonly allowed: SharedArrayBuffer;
}

/**
 * A worker's news: the place in the capture (0-based, counting every TCP segment) of the first
 * packet of each connection it opened, how far it has read, its oldest open connection, and the
 * connections it finished, each known by its first packet's place (`ords` for `json` and `cells`, `n` for `conns`).
 */
/**
 * A worker's batch. Its lists of numbers are typed arrays, whose memory crosses threads (transferred)
 * where a list of numbers is cloned one number at a time (which cost as much as a tenth of a worker).
 */
export interface Batch {
  readonly opens: Float64Array;
  readonly progress: number;
  readonly oldest: number;
  /** Byte offset of the last record read. */
  readonly offset: number;
  readonly ords: Float64Array;
  /**
   * The place of the packet at which each connection was finished (beside `ords`, or `conns`): the
   * order connections are handed on in, whichever worker's message comes first.
   */
  readonly dones: Float64Array;
  /**
   * The connections as the listing's JSON bytes, one after the other, each without its opening
   * `{"id":N` (written once N is known); `ends` has where each ends. One buffer crosses threads
   * (transferred, not copied) faster than many strings.
   */
  readonly json: Uint8Array;
  readonly ends: Float64Array;
  /**
   * The listing's cells of each connection (beside `ords`), in one text: cells apart by `CELL`, rows
   * by `ROW` (one string crosses threads as one copy, where a list of lists is cloned string by string).
   */
  readonly cells: string;
  readonly conns: Conn[];
}

/** A worker's last message. */
export interface PartDone {
  readonly done: true;
  readonly stats: CaptureStats;
  readonly evicted: number;
  /** The time of the capture's last segment (every worker reads them all); NaN for none. */
  readonly lastUs: number;
  /** `--by`'s counts of the worker's share. */
  readonly groups?: ByGroups;
  /** `doctor --pcap`: the connections not kept, and the wire facts of the worker's flows. */
  readonly doctor?: DoctorShare;
}

export interface DoctorShare {
  readonly quiet: { readonly connections: number; readonly segments: number };
  readonly facts: WireFactsState;
  readonly fails: FailState;
}

/**
 * Numbers connections from several workers as one tracker would (1, 2, 3... in order of first
 * packet) and hands them on in one order, whichever worker's message comes first: by the place of
 * the packet that finished them, then of their first packet (as one tracker hands on those still
 * open at the end). A connection whose first packet is at place X is number 1 + the connections
 * any worker opened before X; both are known once every worker has read past the place that
 * finished it. Connections wait here, few, until then.
 */
export class Numbering<T> {
  /** Per worker, the places of the connections it opened, from `base[w]` on (the older ones counted only). */
  private readonly opens: number[][];
  private readonly base: number[];
  private readonly progress: number[];
  private readonly oldest: number[];
  private readonly done: boolean[];
  private waiting: Waiting<T>[] = [];

  constructor(
    parts: number,
    private readonly emit: (n: number, item: T) => void,
  ) {
    this.opens = Array.from({ length: parts }, () => []);
    this.base = new Array<number>(parts).fill(0);
    this.progress = new Array<number>(parts).fill(-1);
    this.oldest = new Array<number>(parts).fill(0);
    this.done = new Array<boolean>(parts).fill(false);
  }

  /**
   * A worker's batch: what it opened and read, then what it finished, each as the place of its
   * first packet, the place of the packet that finished it, and the item.
   */
  batch(
    w: number,
    opens: ArrayLike<number>,
    progress: number,
    oldest: number,
    items: readonly (readonly [number, number, T])[],
  ): void {
    const list = this.opens[w]!;
    for (let i = 0; i < opens.length; i++) list.push(opens[i]!);
    this.progress[w] = progress;
    this.oldest[w] = oldest;
    for (const [ord, done, item] of items) this.waiting.push({ ord, done, item });
    this.flush();
  }

  /** A worker has read the whole capture and sent all it had. */
  finish(w: number): void {
    this.done[w] = true;
    this.flush();
  }

  /** Connections still waiting (none once every worker has finished). */
  get pending(): number {
    return this.waiting.length;
  }

  private flush(): void {
    // Every worker has read past `until`: nothing finished up to there is still to come.
    let until = Number.POSITIVE_INFINITY;
    for (let w = 0; w < this.done.length; w++) if (!this.done[w]) until = Math.min(until, this.progress[w]!);
    const ready: Waiting<T>[] = [];
    const still: Waiting<T>[] = [];
    for (const x of this.waiting) (x.done <= until ? ready : still).push(x);
    if (ready.length === 0) return;
    ready.sort((a, b) => a.done - b.done || a.ord - b.ord);
    for (const x of ready) this.emit(this.numberOf(x.ord), x.item);
    this.waiting = still;
    this.prune();
  }
  /** 1 + how many connections any worker opened before place `ord`. */
  private numberOf(ord: number): number {
    let n = 1;
    for (let w = 0; w < this.opens.length; w++) n += this.base[w]! + below(this.opens[w]!, ord);
    return n;
  }

  /** Places no connection still to be numbered can come before are kept as a count. */
  private prune(): void {
    if (this.opens.every((l) => l.length < 65536)) return;
    let floor = Number.POSITIVE_INFINITY;
    for (let w = 0; w < this.done.length; w++)
      if (!this.done[w]) floor = Math.min(floor, this.oldest[w]!, this.progress[w]! + 1);
    for (const x of this.waiting) floor = Math.min(floor, x.ord);
    for (let w = 0; w < this.opens.length; w++) {
      const list = this.opens[w]!;
      const k = below(list, floor);
      if (k === 0) continue;
      this.base[w] = this.base[w]! + k;
      this.opens[w] = list.slice(k);
    }
  }
}

interface Waiting<T> {
  /** The place of its first packet, and of the packet that finished it. */
  readonly ord: number;
  readonly done: number;
  readonly item: T;
}

/** How many of the sorted `list` are below `x`. */
function below(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
