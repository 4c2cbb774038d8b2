/** `tcpscope counters [PATTERN...]`: every kernel counter under nstat's names, absolute or since the last call. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { readBootId, readNetnsSysctls } from '../../kernel/counters-sysctl.js';
import type { CounterSample } from '../../kernel/counters-types.js';
import { renderNstat, renderSysctls } from '../../render/counters-text.js';
import { netnsName } from '../../render/socket-text.js';
import { type CounterHistory, historyPath, loadHistory, saveHistory } from '../../stats/counter-history.js';
import { type NstatRow, nstatView } from '../../stats/nstat.js';
import { type CounterSource, openCounterSource } from '../../stats/source.js';
import type { Cli } from '../output.js';
import { type SourceFlags, sourceOptions } from '../socket-options.js';

interface CountersFlags extends SourceFlags {
  delta?: boolean;
  zeros?: boolean;
  json?: boolean;
  update: boolean;
  reset?: boolean;
  history?: string;
  sysctl?: boolean;
  header: boolean;
}

/** Runs `counters`. */
export async function run(cli: Cli, flags: CountersFlags, patterns: string[]): Promise<void> {
  const source = await openCounterSource(sourceOptions(flags));
  if (flags.sysctl && patterns.length > 0)
    throw new UsageError(`--sysctl shows every TCP sysctl: no counter names ('${patterns[0]}')`);
  if (flags.sysctl) showSysctls(cli, source, flags);
  else showCounters(cli, source, patterns, flags);
}

function showCounters(cli: Cli, source: CounterSource, patterns: string[], flags: CountersFlags): void {
  const sample = source.read();
  for (const w of sample.warnings ?? []) cli.o.note(w);
  const now = new Date();
  const prev = remember(cli, source, sample, now, flags);
  const seconds = prev ? (now.getTime() - Date.parse(prev.time)) / 1000 : 0;
  const rows = nstatView(sample.counters, {
    patterns,
    zeros: flags.zeros ?? false,
    ...(prev ? { since: { counters: prev.counters, seconds } } : {}),
  });
  if (flags.json) {
    cli.o.out(`${JSON.stringify(countersJson(rows, now, prev, seconds, source))}\n`);
    return;
  }
  if (flags.header) {
    const ns = source.netns ? `netns ${netnsName(source.netns)}` : 'kernel';
    cli.o.out(
      prev ? `#${ns} increase since ${prev.time} (${seconds.toFixed(1)} s), per second\n` : `#${ns}\n`,
    );
  }
  cli.o.out(renderNstat(rows, prev !== undefined));
}

/** Loads the last reading (with --delta) and stores this one (unless --no-update). */
function remember(
  cli: Cli,
  source: CounterSource,
  sample: CounterSample,
  now: Date,
  flags: CountersFlags,
): CounterHistory | undefined {
  const netns = source.netns?.inode ?? 0;
  const bootId = readBootId(flags.procRoot ?? '/proc');
  const path = flags.history ?? historyPath(cacheDir(cli), netns, bootId);
  const prev = flags.delta && !flags.reset ? loadHistory(path, netns, bootId) : undefined;
  if (flags.delta && !prev) {
    cli.o.note(
      'no earlier reading of this namespace since boot: showing absolute values (the next --delta shows the increase)',
    );
  }
  if (flags.update) {
    try {
      saveHistory(path, { netns, bootId, time: now.toISOString(), counters: sample.counters });
    } catch (e) {
      cli.o.note(`could not remember this reading in ${path}: ${(e as Error).message}`);
    }
  }
  return prev;
}

function countersJson(
  rows: readonly NstatRow[],
  now: Date,
  prev: CounterHistory | undefined,
  seconds: number,
  source: CounterSource,
): Record<string, unknown> {
  const out: Record<string, unknown> = { time: now.toISOString() };
  if (source.netns) out['netns'] = source.netns;
  if (prev) Object.assign(out, { delta: true, since: prev.time, elapsedMs: Math.round(seconds * 1000) });
  out['counters'] = Object.fromEntries(rows.map((r) => [r.name, r.value]));
  const resets = rows.filter((r) => r.reset).map((r) => r.name);
  if (resets.length > 0) out['resets'] = resets;
  return out;
}

function showSysctls(cli: Cli, source: CounterSource, flags: CountersFlags): void {
  const read = readNetnsSysctls(source.within, flags.procRoot ?? '/proc');
  if (flags.json) {
    const out: Record<string, unknown> = { sysctl: read.values };
    if (read.missing.length > 0) out['missing'] = read.missing;
    if (read.hostWide) out['hostWide'] = read.hostWide;
    cli.o.out(`${JSON.stringify(out)}\n`);
    return;
  }
  cli.o.out(renderSysctls(read.values));
  if (read.hostWide) {
    const unseen = read.hostWide.filter((n) => read.values[n] === undefined);
    const seen = read.hostWide.filter((n) => read.values[n] !== undefined);
    if (seen.length > 0)
      cli.o.note(`host-wide, the host's values (the same in every namespace): ${seen.join(', ')}`);
    if (unseen.length > 0) cli.o.note(`host-wide, not visible from this namespace: ${unseen.join(', ')}`);
  }
  if (read.missing.length > 0) cli.o.note(`not on this kernel: ${read.missing.join(', ')}`);
}

/** $XDG_CACHE_HOME when it is absolute (the XDG base directory rule), else ~/.cache. */
function cacheDir(cli: Cli): string {
  const xdg = cli.env?.['XDG_CACHE_HOME'];
  return xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
}
