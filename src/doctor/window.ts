/**
 * The doctor's window: several snapshots about a second apart, summed up as which sockets stayed
 * (the same 4-tuple in the same state in every snapshot) and how their queues moved. A socket seen
 * once is no evidence of trouble on a busy host; one that stays for the whole window is. Pure.
 */
import type { Snapshot, Socket } from '../tcp/socket.js';

/** What the window saw of one socket, oldest snapshot first. */
export interface SocketHistory {
  /** In how many snapshots the socket was seen, in this state. */
  seen: number;
  recvQ: number[];
  sendQ: number[];
}

export interface SnapshotWindow {
  /** Snapshots taken, the last one (`DoctorInput.snapshot`) included. */
  snapshots: number;
  /** Seconds from the first snapshot to the last. */
  seconds: number;
  /** By `historyKey`: sockets in the states the rules follow (never TIME_WAIT or SYN_RECV requests). */
  history: Map<string, SocketHistory>;
  /** Per `pid state` (pid 0 when unknown; CLOSE_WAIT only): how many sockets each snapshot saw, oldest first. */
  perProcess: Map<string, number[]>;
}

/** States whose persistence some rule reads; TIME_WAIT (normal, and numerous) is left out. */
const FOLLOWED = new Set<Socket['state']>([
  'ESTABLISHED',
  'SYN_SENT',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'CLOSE_WAIT',
  'LAST_ACK',
  'CLOSING',
  'LISTEN',
]);

/** A socket's identity across snapshots: state, family and 4-tuple (a timewait or orphan has no inode). */
export function historyKey(s: Socket): string {
  return `${s.state} ${s.family} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}

/**
 * What a later reading compares a snapshot with (a window, the "stayed" gauges): every socket that
 * may stay, that is all but idle ESTABLISHED ones. Keeping only this between readings spares the
 * memory of the many idle connections.
 */
export function keptForComparison(snap: Snapshot): Snapshot {
  return {
    ...snap,
    sockets: snap.sockets.filter((s) => s.state !== 'ESTABLISHED' || s.recvQ > 0 || s.sendQ > 0),
  };
}

/** The pid a socket counts under: its holder, or the process its attribution names, else 0. */
export function pidOf(s: Socket): number {
  return s.owners?.[0]?.pid ?? s.attribution?.pid ?? 0;
}

function followed(s: Socket): boolean {
  // ESTABLISHED matters only with something queued: idle connections are many and say nothing here.
  return FOLLOWED.has(s.state) && (s.state !== 'ESTABLISHED' || s.recvQ > 0 || s.sendQ > 0);
}

/**
 * The window over `snapshots` (oldest first, the last the one the rules report on). Every socket of
 * the last snapshot that was in every earlier one has `seen === snapshots`.
 */
export function windowOf(snapshots: readonly Snapshot[]): SnapshotWindow {
  const history = new Map<string, SocketHistory>();
  const perProcess = new Map<string, number[]>();
  const n = snapshots.length;
  snapshots.forEach((snap, i) => {
    for (const s of snap.sockets) {
      if (!followed(s)) continue;
      const k = historyKey(s);
      let h = history.get(k);
      if (!h) {
        if (i > 0) continue; // missed the first snapshot: it did not stay for the whole window
        h = { seen: 0, recvQ: [], sendQ: [] };
        history.set(k, h);
      }
      if (h.seen !== i) continue; // a gap: it was not there in some snapshot, so it never stayed
      h.seen++;
      h.recvQ.push(s.recvQ);
      h.sendQ.push(s.sendQ);
    }
  });
  // Earlier snapshots may be read without owners: a socket counts under the pid the last one gives it.
  const lastPid = new Map<string, number>();
  for (const s of snapshots[n - 1]?.sockets ?? [])
    if (s.state === 'CLOSE_WAIT') lastPid.set(historyKey(s), pidOf(s));
  snapshots.forEach((snap, i) => {
    for (const s of snap.sockets) {
      if (s.state !== 'CLOSE_WAIT') continue;
      const k = `${s.owners ? pidOf(s) : (lastPid.get(historyKey(s)) ?? 0)} ${s.state}`;
      let counts = perProcess.get(k);
      if (!counts) {
        counts = new Array<number>(n).fill(0);
        perProcess.set(k, counts);
      }
      counts[i]!++;
    }
  });
  const first = Date.parse(snapshots[0]?.time ?? '');
  const last = Date.parse(snapshots[n - 1]?.time ?? '');
  return {
    snapshots: n,
    seconds: Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, (last - first) / 1000) : 0,
    history,
    perProcess,
  };
}

/** Whether a socket of the last snapshot was there, in the same state, in every snapshot of the window. */
export function stayed(w: SnapshotWindow, s: Socket): boolean {
  return (w.history.get(historyKey(s))?.seen ?? 0) >= w.snapshots;
}

/** The socket's history, when it stayed for the whole window. */
export function historyOf(w: SnapshotWindow, s: Socket): SocketHistory | undefined {
  const h = w.history.get(historyKey(s));
  return h && h.seen >= w.snapshots ? h : undefined;
}

/** Whether a series never went down and ended higher than it began (a count or queue that grows). */
export function grows(series: readonly number[]): boolean {
  if (series.length < 2) return false;
  for (let i = 1; i < series.length; i++) if (series[i]! < series[i - 1]!) return false;
  return series[series.length - 1]! > series[0]!;
}
