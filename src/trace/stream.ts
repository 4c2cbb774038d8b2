/**
 * The transition stream for the library and the CLI: kernel events from a private tracefs instance
 * through the tracker, filtered; or, without tracefs (no root, a locked-down kernel) or on request,
 * transitions seen between netlink snapshots taken at a high rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isUserError } from '../errors.js';
import type { TraceEventName } from '../kernel/tracefs/events.js';
import { openTrace, type TraceStats } from '../kernel/tracefs/open.js';
import type { FilterSpec, PortMatch } from '../snapshot/filter.js';
import { takeSnapshot } from '../snapshot/take.js';
import type { Socket } from '../tcp/socket.js';
import { itemFilter } from './filter.js';
import { procOwnerLookup } from './owners.js';
import { diffTables, indexSockets } from './sampled.js';
import { type TrackerCounts, TransitionTracker } from './track.js';
import type { TraceItem, TraceTransition } from './types.js';

/** What to follow. */
export interface TransitionOptions {
  /** The `ls` filters: ports, states (either end of a transition), addresses, family. */
  readonly filter?: FilterSpec;
  /** `states` (default): transitions only; `all`: retransmissions, resets and connect() errors too. */
  readonly events?: 'states' | 'all';
  readonly signal?: AbortSignal;
  /** `kernel` (tracefs, the default), `sampled`, or `auto`: tracefs, else sampling with a note. */
  readonly source?: 'kernel' | 'sampled' | 'auto';
  /** Sampling interval for the sampled source, ms (100 by default). */
  readonly intervalMs?: number;
  /** Look up owners of sockets that exist at the start (one snapshot with owners). */
  readonly owners?: boolean;
  /** tracefs instance name part. */
  readonly purpose?: string;
  /** Read the text pipe instead of the binary ring. */
  readonly text?: boolean;
  /** How long the kernel source sleeps between reads of quiet rings, ms (50 by default). */
  readonly pollMs?: number;
  /** tracefs root, /proc root (fixtures, tests). */
  readonly tracefsRoot?: string;
  readonly procRoot?: string;
  /** Called with a one-line note (the fallback, lost events). */
  readonly note?: (line: string) => void;
}

/** An open stream of transitions. */
export interface TransitionStream extends AsyncIterable<TraceItem> {
  readonly source: 'kernel' | 'sampled';
  /** The sampling interval (sampled source). */
  readonly intervalMs?: number;
  /** The items in the batches they were read in. */
  batches(): AsyncIterable<TraceItem[]>;
  /** Kernel counters: events read and lost (kernel source), and what the tracker skipped. */
  stats(): { trace?: TraceStats; tracker?: TrackerCounts };
}

const ALL_EVENTS: TraceEventName[] = [
  'inet_sock_set_state',
  'tcp_receive_reset',
  'tcp_send_reset',
  'tcp_retransmit_skb',
  'tcp_retransmit_synack',
  'inet_sk_error_report',
  'sys_exit_connect',
];

/** Ports for the kernel filter: single ports only (ranges and sport/dport are filtered here). */
function kernelPorts(f: FilterSpec | undefined): number[] | undefined {
  const list: readonly PortMatch[] | undefined = f?.ports;
  if (!list || list.length === 0 || f?.sports || f?.dports) return undefined;
  return list.every((p) => typeof p === 'number') ? (list as number[]) : undefined;
}

/** Opens the stream; throws a one-line error when the kernel source is asked for and unavailable. */
export async function openTransitions(o: TransitionOptions = {}): Promise<TransitionStream> {
  const source = o.source ?? 'kernel';
  if (source === 'sampled') return sampledStream(o);
  try {
    return await kernelStream(o);
  } catch (e) {
    if (source !== 'auto' || !isUserError(e) || (e.code !== 'EPERM' && e.code !== 'EENV')) throw e;
    o.note?.(`${e.message.replace(/; or use .*$/, '')}: sampling the socket table instead`);
    return sampledStream(o);
  }
}

async function kernelStream(o: TransitionOptions): Promise<TransitionStream> {
  // Resets received are needed to tell TIME_WAIT from a reset after CLOSING.
  const events: TraceEventName[] =
    o.events === 'all' ? ALL_EVENTS : ['inet_sock_set_state', 'tcp_receive_reset'];
  const ports = kernelPorts(o.filter);
  const family = o.filter?.family;
  // Owners of existing sockets first: the scan of /proc can take seconds on a busy host, and the
  // kernel's buffers would fill meanwhile if the trace were already on.
  let seed: Socket[] | undefined;
  if (o.owners) {
    try {
      seed = (await takeSnapshot({ owners: true, ...(o.procRoot ? { procRoot: o.procRoot } : {}) })).sockets;
    } catch (e) {
      o.note?.(`owners of existing sockets not looked up: ${(e as Error).message}`);
    }
  }
  const session = await openTrace({
    events,
    filter: { ...(ports ? { ports } : {}), ...(family ? { family } : {}) },
    ...(o.signal ? { signal: o.signal } : {}),
    purpose: o.purpose ?? 'trace',
    ...(o.tracefsRoot ? { root: o.tracefsRoot } : {}),
    ...(o.text ? { text: true } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
  });
  const tracefsRoot = session.instance.replace(/\/instances\/[^/]+$/, '');
  const tracker = new TransitionTracker(procOwnerLookup(o.procRoot, Date.now, tracefsRoot));
  if (seed) tracker.seedOwners(seed);
  const keep = itemFilter(o.filter ?? {}, o.events === 'all');
  const hold =
    o.filter?.ports !== undefined || o.filter?.sports !== undefined ? new HeldConnects(keep) : undefined;
  let lostSeen = 0;
  async function* batches(): AsyncIterable<TraceItem[]> {
    for await (const batch of session.batches()) {
      const out: TraceItem[] = [];
      for (const e of batch)
        for (const item of tracker.push(e)) {
          if (hold?.take(item, out)) continue;
          if (keep(item)) out.push(item);
        }
      const lost = session.stats().lost;
      if (lost > lostSeen) {
        o.note?.(`${lost - lostSeen} kernel event(s) lost (buffer full): transitions are missing`);
        lostSeen = lost;
      }
      if (out.length > 0) yield out;
    }
  }
  return {
    source: 'kernel',
    batches,
    stats: () => ({ trace: session.stats(), tracker: tracker.counts }),
    async *[Symbol.asyncIterator]() {
      for await (const b of batches()) yield* b;
    },
  };
}

/**
 * A filter on the local port cannot judge connect()'s first transition, CLOSE→SYN_SENT, which the
 * kernel announces before it picks the port (sport 0). Such a transition that the filter does not
 * already keep waits for the socket's next one, whose port decides both; it is then written as
 * the kernel gave it. Bounded: the oldest waiting are dropped past 65,536 (sockets that never
 * said more were never in the filter's range as far as anyone can tell).
 */
class HeldConnects {
  private readonly held = new Map<string, TraceTransition>();
  constructor(private readonly keep: (i: TraceItem) => boolean) {}

  /** Takes over `item` (returns true) or lets the caller filter it; adds what it releases to `out`. */
  take(item: TraceItem, out: TraceItem[]): boolean {
    if (item.kind !== 'transition' || item.skaddr === undefined) return false;
    if (item.from === 'CLOSE' && item.to === 'SYN_SENT' && item.local.port === 0) {
      if (this.keep(item)) return false;
      if (this.held.size >= 65_536) this.held.delete(this.held.keys().next().value!);
      this.held.set(item.skaddr, item);
      return true;
    }
    if (this.held.size === 0) return false;
    const h = this.held.get(item.skaddr);
    if (h === undefined) return false;
    this.held.delete(item.skaddr);
    if (this.keep({ ...h, local: item.local })) out.push(h);
    return false;
  }
}

function sampledStream(o: TransitionOptions): TransitionStream {
  const intervalMs = o.intervalMs ?? 100;
  const keep = itemFilter(o.filter ?? {}, false);
  const snapOpts = {
    ...(o.procRoot ? { procRoot: o.procRoot } : {}),
    ...(o.filter?.family ? { families: [o.filter.family] } : {}),
  };
  async function* batches(): AsyncIterable<TraceItem[]> {
    let before = indexSockets((await takeSnapshot(snapOpts)).sockets);
    let at = Date.now();
    while (!o.signal?.aborted) {
      const wait = at + intervalMs - Date.now();
      if (wait > 0) await sleep(wait, undefined, o.signal ? { signal: o.signal } : {}).catch(() => undefined);
      if (o.signal?.aborted) break;
      const after = indexSockets((await takeSnapshot(snapOpts)).sockets);
      const now = Date.now();
      const out = diffTables(before, after, now, now - at).filter(keep);
      before = after;
      at = now;
      if (out.length > 0) yield out;
    }
  }
  return {
    source: 'sampled',
    intervalMs,
    batches,
    stats: () => ({}),
    async *[Symbol.asyncIterator]() {
      for await (const b of batches()) yield* b;
    },
  };
}
