/**
 * The process of a thread id, for events that ran in the owner's context: the event's pid is the
 * thread (`common_pid`), users know the thread group. Read from /proc/TID/status while the thread
 * lives, cached briefly (a busy client makes thousands of connections a second from one thread).
 */
import { readFileSync } from 'node:fs';
import type { OwnerLookup } from './track.js';

const TTL_MS = 2000;
const MAX_ENTRIES = 4096;

/**
 * A lookup over `procRoot` (/proc by default) with a small cache. For a thread already gone (a
 * short-lived client), the kernel's own record is read when `tracefsRoot` is given: `saved_tgids`
 * (kept with options/record-tgid) and `saved_cmdlines`; undefined when neither knows it.
 */
export function procOwnerLookup(
  procRoot = '/proc',
  now: () => number = Date.now,
  tracefsRoot?: string,
): OwnerLookup {
  const saved = tracefsRoot !== undefined ? savedTasks(tracefsRoot, now) : () => undefined;
  const cache = new Map<number, { at: number; v: { pid: number; command: string } | undefined }>();
  return (tid) => {
    if (tid <= 0) return undefined; // the idle task: softirq on an idle CPU
    const t = now();
    const hit = cache.get(tid);
    if (hit && t - hit.at < TTL_MS) return hit.v;
    let v: { pid: number; command: string } | undefined;
    try {
      const status = readFileSync(`${procRoot}/${tid}/status`, 'latin1');
      const tgid = /^Tgid:\s+(\d+)/m.exec(status)?.[1];
      // Name: is the thread's; the group leader's comm names the process.
      const pid = tgid !== undefined ? Number(tgid) : tid;
      let command = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
      if (pid !== tid) {
        try {
          command = readFileSync(`${procRoot}/${pid}/comm`, 'latin1').trim();
        } catch {
          // The leader went first: keep the thread's name.
        }
      }
      v = { pid, command };
    } catch {
      v = saved(tid);
    }
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(tid, { at: t, v });
    return v;
  };
}

/** tid → tgid and pid → comm from tracefs's saved tables, re-read at most every 100 ms on a miss. */
function savedTasks(
  root: string,
  now: () => number,
): (tid: number) => { pid: number; command: string } | undefined {
  let tgids = new Map<number, number>();
  let comms = new Map<number, string>();
  let at = Number.NEGATIVE_INFINITY;
  const table = (file: string): [number, string][] => {
    try {
      return readFileSync(`${root}/${file}`, 'latin1')
        .split('\n')
        .map((l) => /^(\d+) (.+)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [Number(m[1]), m[2]!]);
    } catch {
      return [];
    }
  };
  return (tid) => {
    if (!tgids.has(tid) && now() - at > 100) {
      at = now();
      tgids = new Map(table('saved_tgids').map(([a, b]) => [a, Number(b)]));
      comms = new Map(table('saved_cmdlines'));
    }
    const pid = tgids.get(tid);
    if (pid === undefined) return undefined;
    const command = comms.get(pid) ?? comms.get(tid);
    return command === undefined ? { pid, command: '?' } : { pid, command };
  };
}
