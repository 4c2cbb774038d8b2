/**
 * Waiting on a condition with a deadline, never a fixed sleep: `probe` is polled until it gives a
 * value (anything but undefined or false); past the deadline the test fails with what it waited for
 * and the last value seen.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this many ms (default 10 s). */
  timeoutMs?: number;
  /** Poll every this many ms (default 20). */
  everyMs?: number;
}

/** Resolves with `probe`'s first value that is neither undefined nor false; rejects at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(opts.everyMs ?? 20);
  }
}

/** One row of /proc/net/tcp{,6}: the state (kernel code), ports and queues. */
export interface ProcTcpRow {
  state: number;
  localPort: number;
  remotePort: number;
  txQueue: number;
  rxQueue: number;
}

/** Parses /proc/net/tcp or tcp6 text (of the namespace of whoever read it). */
export function procTcpRows(text: string): ProcTcpRow[] {
  const rows: ProcTcpRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [tx, rx] = f[4]!.split(':');
    rows.push({
      state: Number.parseInt(f[3]!, 16),
      localPort: Number.parseInt(f[1]!.split(':')[1]!, 16),
      remotePort: Number.parseInt(f[2]!.split(':')[1]!, 16),
      txQueue: Number.parseInt(tx!, 16),
      rxQueue: Number.parseInt(rx!, 16),
    });
  }
  return rows;
}
