/**
 * The history file of `counters --delta`, like nstat's: the counters of the last call, so the next one
 * can show what changed. One file per network namespace and boot (counters restart with both), under
 * the user's cache directory; written whole to a temporary file and renamed, mode 0600.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface CounterHistory {
  /** Inode of the network namespace the counters are from. */
  netns: number;
  /** /proc/sys/kernel/random/boot_id of the boot they are from. */
  bootId: string;
  /** When they were read (ISO 8601). */
  time: string;
  counters: Record<string, number>;
}

const PREFIX = 'counters-';

/** The default history file for a namespace and boot: CACHE/tcpscope/counters-NETNS-BOOTID.json. */
export function historyPath(cacheDir: string, netns: number, bootId: string): string {
  return join(cacheDir, 'tcpscope', `${PREFIX}${netns}-${bootId}.json`);
}

/** Reads a history file; undefined when there is none or it is unreadable or from another namespace or boot. */
export function loadHistory(path: string, netns: number, bootId: string): CounterHistory | undefined {
  let h: Partial<CounterHistory>;
  try {
    h = JSON.parse(readFileSync(path, 'utf8')) as Partial<CounterHistory>;
  } catch {
    return undefined;
  }
  if (h.netns !== netns || h.bootId !== bootId || typeof h.time !== 'string') return undefined;
  if (typeof h.counters !== 'object' || h.counters === null) return undefined;
  return h as CounterHistory;
}

/** Writes a history file atomically; in the default directory, files of earlier boots are removed. */
export function saveHistory(path: string, h: CounterHistory): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(h)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  if (!basename(path).startsWith(PREFIX)) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(PREFIX) && name.endsWith('.json') && !name.endsWith(`-${h.bootId}.json`)) {
      rmSync(join(dir, name), { force: true });
    }
  }
}
