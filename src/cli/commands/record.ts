/**
 * `tcpscope record`: keeps a history of the TCP states in a SQLite file: a reading every
 * `--interval` until Ctrl-C or SIGTERM (then the file is closed and the exit is 0), `--count` readings
 * or `--duration`. Progress goes to stderr when it is a terminal; otherwise it is quiet.
 */
import { homedir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import {
  DEFAULT_RETAIN_MS,
  formatDuration,
  MIN_RETAIN_MS,
  parseDuration,
  retentionOf,
} from '../../store/index.js';
import { defaultHistoryPath } from '../../store/paths.js';
import { record } from '../../store/recorder.js';
import type { SampleRows } from '../../store/sample-rows.js';
import { openHistoryWriter } from '../../store/writer.js';
import { keepCompiledCode } from '../long-running.js';
import type { Cli } from '../output.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';

interface Flags extends SourceFlags {
  interval: string;
  db?: string;
  retain: string;
  top: string;
  count?: string;
  duration?: string;
  ownersEvery: string;
  trace: boolean;
  json?: boolean;
}

/** `record --json`: one line per reading written, `count --json`'s shape with its time. */
function readingView(rows: SampleRows) {
  const states: Record<string, number> = {};
  for (const c of rows.counts) if (c.kind === 'all') states[c.state] = c.count;
  return { time: new Date(rows.time).toISOString(), total: rows.total, states };
}

/** The history file: `--db`, else the default place for this user. */
export function historyFile(cli: Cli, db: string | undefined): string {
  if (db !== undefined) {
    if (db.trim() === '') throw new UsageError('--db: an empty file name');
    return resolve(db);
  }
  return defaultHistoryPath(cli.env, userInfo().uid, homedir());
}

/** Runs `record`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  keepCompiledCode();
  const intervalMs = parseIntFlag('--interval', flags.interval, 1, 86_400) * 1000;
  const retainMs = flags.retain === undefined ? DEFAULT_RETAIN_MS : parseDuration('--retain', flags.retain);
  if (retainMs < MIN_RETAIN_MS) throw new UsageError(`--retain: ${flags.retain} is shorter than 1h`);
  const top = parseIntFlag('--top', flags.top, 1, 1000);
  const ownersEvery = parseIntFlag('--owners-every', flags.ownersEvery, 1, 1000);
  const count = flags.count !== undefined ? parseIntFlag('--count', flags.count, 1, 1e9) : undefined;
  const durationMs =
    flags.duration !== undefined ? parseDuration('--duration', flags.duration, 's') : undefined;
  const where = sourceOptions(flags);
  const file = historyFile(cli, flags.db);
  const writer = await openHistoryWriter(file, {
    retention: retentionOf(retainMs),
    meta: {
      interval: String(intervalMs / 1000),
      retain: formatDuration(retainMs),
      top: String(top),
      ...(where.netns !== undefined ? { netns: where.netns } : {}),
    },
  });
  const stop = new AbortController();
  const off = cli.onInterrupt?.(() => stop.abort());
  const progress = cli.o.errTty === true;
  try {
    if (progress) cli.o.note(`recording to ${file} every ${intervalMs / 1000} s (Ctrl-C stops)`);
    const { samples } = await record(writer, {
      ...(where.procRoot !== undefined ? { procRoot: where.procRoot } : {}),
      ...(where.netns !== undefined ? { netns: where.netns } : {}),
      ...(where.netnsPid !== undefined ? { netnsPid: where.netnsPid } : {}),
      ...(where.source !== undefined ? { source: where.source } : {}),
      intervalMs,
      top,
      ownersEvery,
      trace: flags.trace !== false,
      ...(count !== undefined ? { count } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      signal: stop.signal,
      onSample: (rows, n) => {
        if (flags.json) cli.o.out(`${JSON.stringify(readingView(rows))}\n`);
        if (progress)
          cli.o.err(`\r${new Date(rows.time).toISOString()}  ${n} reading(s), ${rows.total} sockets  `);
      },
      onProblem: (l) => cli.o.note(l),
      // Quiet on a pipe: what is left out by design is said on a terminal only.
      onNote: (l) => {
        if (progress) cli.o.note(l);
      },
    });
    if (progress) cli.o.err(`\n`);
    if (progress) cli.o.note(`${samples} reading(s) written to ${file}`);
  } finally {
    off?.();
    writer.close();
  }
}
