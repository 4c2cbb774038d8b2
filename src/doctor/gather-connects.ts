/**
 * The doctor's connect() tracing: while the window runs, a private tracefs instance (the tracefs
 * source, removed on every way out) reports the state changes of connecting sockets, their errors
 * and connect()'s returns; `ConnectPairer` turns them into failures per process and destination.
 * Events are host-wide: only those of threads in the diagnosed namespace are kept (a connect's
 * CLOSE→SYN_SENT runs in its caller's context).
 */
import { readFileSync } from 'node:fs';
import { netnsInode } from '../kernel/netns.js';
import { openTrace, type TraceSession } from '../kernel/tracefs/index.js';
import { type Caller, type ConnectFailures, ConnectPairer } from './connect-events.js';

/** A running trace: `stop()` ends it and gives what it saw. */
export interface ConnectTrace {
  stop(seconds: number): Promise<ConnectFailures>;
}

/** The process (thread group) of a thread and its command, from /proc while it lives. */
function callerReader(procRoot: string, netns: number | undefined): (tid: number) => Caller | undefined {
  const cache = new Map<number, Caller | null>();
  return (tid) => {
    const hit = cache.get(tid);
    if (hit !== undefined) return hit ?? undefined;
    let caller: Caller | null = null;
    try {
      if (netns === undefined || netnsInode(procRoot, tid) === netns) {
        const status = readFileSync(`${procRoot}/${tid}/status`, 'utf8');
        const tgid = Number(/^Tgid:\s*(\d+)/m.exec(status)?.[1]);
        const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
        if (tgid > 0) caller = { pid: tgid, command: name };
      }
    } catch {
      // Gone before we looked: its events cannot be placed.
    }
    if (cache.size > 100_000) cache.clear();
    cache.set(tid, caller);
    return caller ?? undefined;
  };
}

/**
 * Starts tracing connects of the namespace `netns` (an inode; undefined for ours, also filtered).
 * Resolves to undefined, with the reason, where tracefs cannot be used (not root, not mounted).
 */
export async function traceConnects(
  procRoot: string,
  netns: number | undefined,
): Promise<{ trace?: ConnectTrace; reason?: string }> {
  const abort = new AbortController();
  let session: TraceSession;
  try {
    session = await openTrace({
      events: ['inet_sock_set_state', 'inet_sk_error_report', 'sys_exit_connect'],
      filter: { connectErrors: true },
      signal: abort.signal,
      purpose: 'doctor',
    });
  } catch (e) {
    return { reason: (e as Error).message };
  }
  const pairer = new ConnectPairer(callerReader(procRoot, netns ?? netnsInode(procRoot, 'self')));
  const done = (async () => {
    for await (const batch of session.batches())
      for (const e of batch)
        if (
          e.event === 'inet_sock_set_state' ||
          e.event === 'inet_sk_error_report' ||
          e.event === 'sys_exit_connect'
        )
          pairer.add(e);
  })();
  return {
    trace: {
      async stop(seconds) {
        abort.abort();
        await done.catch(() => undefined);
        session.close();
        const lost = session.stats().lost;
        return {
          seconds,
          failures: pairer.failures,
          returns: pairer.returns,
          ...(pairer.unpaired + lost > 0 ? { unpaired: pairer.unpaired + lost } : {}),
        };
      },
    },
  };
}
