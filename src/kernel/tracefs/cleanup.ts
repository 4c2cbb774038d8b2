/**
 * Instances still open, removed synchronously when the process exits (also after EPIPE's exit):
 * the one file of the tracefs source that touches `process`. Ctrl-C and SIGTERM reach the readers
 * through their AbortSignal; an instance left by a process killed outright is removed by the next
 * tcpscope that opens one (`removeStaleInstances`).
 */

/** Something to tear down synchronously. */
export interface SyncDisposable {
  disposeSync(): void;
}

const live = new Set<SyncDisposable>();
let hooked = false;

function onExit(): void {
  for (const d of [...live]) {
    try {
      d.disposeSync();
    } catch {
      // Exiting anyway: the next start removes what is left.
    }
  }
  live.clear();
}

/** Removes `d` on exit unless it is untracked first. */
export function trackInstance(d: SyncDisposable): void {
  live.add(d);
  if (!hooked) {
    hooked = true;
    process.on('exit', onExit);
  }
}

export function untrackInstance(d: SyncDisposable): void {
  live.delete(d);
  if (live.size === 0 && hooked) {
    hooked = false;
    process.off('exit', onExit);
  }
}

/** Our pid, for instance names. */
export function ownPid(): number {
  return process.pid;
}

/** Whether a process exists (signal 0; EPERM means it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** CLOCK_MONOTONIC now, in nanoseconds: the `mono` trace clock. */
export function monoNowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Milliseconds to add to a `mono` time in ms to get wall time. */
export function monoToWallOffsetMs(): number {
  const a = monoNowNs();
  const wall = Date.now();
  const b = monoNowNs();
  return wall - (a + b) / 2 / 1e6;
}
