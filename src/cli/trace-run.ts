/**
 * What `trace` and `life` share: their flags, and running a transition stream until --duration,
 * --count, Ctrl-C, SIGTERM or a closed pipe ends it (the tracefs instance is removed on each).
 */
import { UsageError } from '../errors.js';
import { openTransitions, type TransitionOptions, type TransitionStream } from '../trace/stream.js';
import type { TraceItem } from '../trace/types.js';
import type { OptionSpec } from './command-spec.js';
import type { Cli } from './output.js';
import { FILTER_OPTIONS, type FilterFlags, filterSpec, parseIntFlag } from './socket-options.js';

export interface TraceFlags extends FilterFlags {
  json?: boolean;
  duration?: string;
  count?: string;
  sampled?: boolean;
  interval?: string;
  text?: boolean;
  owners?: boolean;
  tracefs?: string;
}

/** The flags of both commands, after the `ls` filters. */
export const TRACE_OPTIONS: readonly OptionSpec[] = [
  ...FILTER_OPTIONS,
  { flags: '--duration <seconds>', description: 'stop after this many seconds' },
  { flags: '--count <n>', description: 'stop after N lines' },
  { flags: '--json', description: 'NDJSON: one object per line' },
  {
    flags: '--sampled',
    description: 'without tracefs: compare socket tables read every --interval (no root needed)',
    // What reads tracefs means nothing to tables compared.
    conflicts: ['--text', '--tracefs', '--no-owners'],
  },
  {
    flags: '--interval <ms>',
    description: 'sampling interval, ms: of --sampled, or of the sampling used when tracefs cannot be read',
    default: '100',
  },
  { flags: '--text', description: 'read the text pipe (trace_pipe) instead of the binary ring' },
  { flags: '--no-owners', description: 'do not look up the owners of sockets that exist at the start' },
  { flags: '--tracefs <dir>', description: 'tracefs mount (found, or mounted at /sys/kernel/tracing)' },
];

/** Seconds (decimals allowed) to ms, or a usage error. */
function seconds(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim()))
    throw new UsageError(`${flag}: '${text}' is not a number of seconds`);
  const s = Number(text);
  if (s <= 0 || s > 31 * 86400) throw new UsageError(`${flag}: ${s} is out of range`);
  return s * 1000;
}

/** Stream options from the flags; the flags are checked before anything is opened. */
export function streamOptions(flags: TraceFlags, extra: Partial<TransitionOptions>): TransitionOptions {
  const o: TransitionOptions = {
    filter: filterSpec(flags),
    source: flags.sampled ? 'sampled' : 'auto',
    intervalMs: parseIntFlag('--interval', flags.interval ?? '100', 10, 60_000),
    owners: flags.owners !== false,
    ...(flags.text ? { text: true } : {}),
    ...(flags.tracefs ? { tracefsRoot: flags.tracefs } : {}),
    ...extra,
  };
  return o;
}

/**
 * Runs the stream: `onBatch` gets the items and returns how many lines it printed (for --count).
 * Resolves when the stream ends; the caller prints its closing lines after.
 */
export async function runStream(
  cli: Cli,
  flags: TraceFlags,
  extra: Partial<TransitionOptions>,
  onStart: (s: TransitionStream, opts: TransitionOptions) => void,
  onBatch: (items: TraceItem[]) => number,
): Promise<TransitionStream> {
  const durationMs = flags.duration !== undefined ? seconds('--duration', flags.duration) : undefined;
  const count = flags.count !== undefined ? parseIntFlag('--count', flags.count, 1, 1e12) : undefined;
  const stop = new AbortController();
  const opts = streamOptions(flags, { ...extra, signal: stop.signal, note: (l) => cli.o.note(l) });
  const off = cli.onInterrupt?.(() => stop.abort());
  const timer = durationMs !== undefined ? setTimeout(() => stop.abort(), durationMs) : undefined;
  try {
    const stream = await openTransitions(opts);
    onStart(stream, opts);
    let lines = 0;
    for await (const batch of stream.batches()) {
      lines += onBatch(count !== undefined ? batch.slice(0, Math.max(0, count - lines)) : batch);
      if (count !== undefined && lines >= count) stop.abort();
    }
    return stream;
  } finally {
    if (timer) clearTimeout(timer);
    off?.();
  }
}
