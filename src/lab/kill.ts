/** SIGKILL to processes the lab started inside its own namespaces. */

/** Kills each pid with SIGKILL; ones already gone are skipped. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ESRCH: it ended on its own.
    }
  }
}
