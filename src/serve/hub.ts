/**
 * What `tcpscope serve` serves, read in the background: every interval one reading through the live
 * sampler (the table, owners every few readings carried by inode, counter rates, the doctor every few
 * readings, the transitions traced since the last), kept as the latest reading, a ring of per-state
 * counts (the live charts' history), a ring of transitions, and pushed to subscribers (the page's
 * server-sent events). Readings run as `probe/periodic.ts` runs them (one at a time, a failed or
 * hung one counted and the last good one kept); memory is bounded by the rings.
 */
import { keptForComparison } from '../doctor/window.js';
import { type PeriodicHealth, startPeriodic } from '../probe/periodic.js';
import { countStates } from '../snapshot/aggregate.js';
import type { Snapshot } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import type { RecordSample, WatchFinding, WatchSample, WatchTransition } from '../watch/model.js';
import { openWatchSampler, type WatchSamplerOptions } from '../watch/sampler.js';

export interface HubOptions extends WatchSamplerOptions {
  intervalMs: number;
  /** Readings of per-state counts kept for the charts (3600 by default: an hour at 1 s). */
  historyPoints?: number;
  /** Transitions kept for `/api/transitions` (1000 by default). */
  transitionsKept?: number;
  note?: (line: string) => void;
}

export interface HistoryPoint {
  /** Wall-clock milliseconds. */
  time: number;
  counts: Record<string, number>;
}

/** What each reading pushes to the page. */
export interface LiveEvent {
  time: number;
  total: number;
  states: Record<TcpState, number>;
  rates?: Readonly<Record<string, number>>;
  findings?: readonly WatchFinding[];
  transitions: readonly WatchTransition[];
  transitionsUnavailable?: string;
}

export type HubHealth = PeriodicHealth;

export interface Hub {
  /** The last good reading; undefined before the first. */
  latest(): RecordSample | undefined;
  /** The reading before it (for the "stayed" gauges of /metrics). */
  previousSnapshot(): Snapshot | undefined;
  history(q?: { from?: number; to?: number }): HistoryPoint[];
  transitions(limit?: number): WatchTransition[];
  /** The last reading's event, for a page that just connected. */
  lastEvent(): LiveEvent | undefined;
  subscribe(fn: (e: LiveEvent) => void): () => void;
  health(): HubHealth;
  readonly where: string;
  /** Resolves once the first reading is done (or failed). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Every state's count, zeros included (the chart and the diagram want them all). */
/** The hub reads records (its sampler is not asked for columns). */
function asRecords(s: WatchSample): RecordSample {
  if (!s.sockets || !s.snapshot) throw new Error('serve: a reading without socket records');
  return s as RecordSample;
}

function countsOf(s: RecordSample): { total: number; states: Record<TcpState, number> } {
  const { total, states } = countStates(s.sockets);
  return { total, states: { ...ZERO, ...states } };
}

const ZERO = Object.fromEntries(TCP_STATES.map((st) => [st, 0])) as Record<TcpState, number>;

export async function startHub(o: HubOptions): Promise<Hub> {
  const sampler = await openWatchSampler(o);
  const keep = o.historyPoints ?? 3600;
  const keepTransitions = o.transitionsKept ?? 1000;
  const timeoutMs = Math.max(10_000, o.intervalMs * 3);
  const history: HistoryPoint[] = [];
  const transitions: WatchTransition[] = [];
  const subscribers = new Set<(e: LiveEvent) => void>();
  let latest: RecordSample | undefined;
  let previous: Snapshot | undefined;
  let event: LiveEvent | undefined;

  const readOnce = async (): Promise<void> => {
    const s = asRecords(await sampler.next());
    // Only what the "stayed" gauges of /metrics compare with.
    previous = latest?.snapshot ? keptForComparison(latest.snapshot) : undefined;
    latest = s;
    const { total, states } = countsOf(s);
    history.push({ time: s.time, counts: { ...states } });
    if (history.length > keep) history.splice(0, history.length - keep);
    const fresh = s.transitions ?? [];
    transitions.push(...fresh);
    if (transitions.length > keepTransitions) transitions.splice(0, transitions.length - keepTransitions);
    event = {
      time: s.time,
      total,
      states,
      ...(s.rates ? { rates: s.rates } : {}),
      ...(s.findings ? { findings: s.findings } : {}),
      transitions: fresh,
      ...(s.transitionsUnavailable !== undefined ? { transitionsUnavailable: s.transitionsUnavailable } : {}),
    };
    for (const fn of subscribers) fn(event);
  };

  const periodic = startPeriodic({
    intervalMs: o.intervalMs,
    timeoutMs,
    // Ctrl-C should not wait long for a reading that hangs.
    stopWaitMs: 2000,
    read: readOnce,
    ...(o.note ? { note: o.note } : {}),
  });

  return {
    latest: () => latest,
    previousSnapshot: () => previous,
    history(q = {}) {
      return history.filter(
        (p) => (q.from === undefined || p.time >= q.from) && (q.to === undefined || p.time <= q.to),
      );
    },
    transitions: (limit = keepTransitions) => transitions.slice(-limit),
    lastEvent: () => event,
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    health: () => periodic.health(),
    where: sampler.where,
    ready: periodic.ready,
    async stop() {
      subscribers.clear();
      await periodic.stop();
      await Promise.race([sampler.close(), new Promise((r) => setTimeout(r, 1000).unref?.())]);
    },
  };
}
