/** `tcpscope stat [INTERVAL [COUNT]]`: the kernel's TCP counters over time, like `sar -n SOCK,TCP,ETCP`. */
import { hostname, release } from 'node:os';
import { UsageError } from '../../errors.js';
import { netnsName } from '../../render/socket-text.js';
import { clockLabel, renderSarBlock, renderSarTitle, sarJsonRow } from '../../render/stat-text.js';
import { type CounterInterval, sampleCounters } from '../../stats/sampler.js';
import { SAR_VIEWS, SarAverager, type SarView, sarRow } from '../../stats/sar.js';
import { openCounterSource } from '../../stats/source.js';
import type { Cli } from '../output.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';

interface StatFlags extends SourceFlags {
  views: string;
  json?: boolean;
}

/** Runs `stat [INTERVAL [COUNT]]`. */
export async function run(
  cli: Cli,
  flags: StatFlags,
  interval: string | undefined,
  count: string | undefined,
): Promise<void> {
  const views = parseViews(flags.views);
  const intervalMs = interval === undefined ? 1000 : parseInterval(interval);
  const n =
    interval === undefined ? 1 : count === undefined ? undefined : parseIntFlag('COUNT', count, 1, 1e9);
  // Stopped cleanly from the start: a signal that comes as the title appears ends the sampling.
  const stop = new AbortController();
  const off = cli.onInterrupt?.(() => stop.abort());
  const avg = new SarAverager();
  const warned = new Set<string>();
  let first: Date | undefined;
  try {
    const source = await openCounterSource({ ...sourceOptions(flags), states: views.includes('STATE') });
    if (!flags.json) {
      const ns = source.netns ? netnsName(source.netns) : undefined;
      cli.o.out(renderSarTitle(release(), hostname(), new Date(), ns));
    }
    const opts = { intervalMs, read: () => source.sample(), signal: stop.signal };
    for await (const iv of sampleCounters(n === undefined ? opts : { ...opts, count: n })) {
      first ??= iv.start;
      avg.add(iv);
      warn(cli, iv, warned);
      cli.o.out(flags.json ? jsonLine(views, iv) : textBlocks(views, iv));
    }
  } finally {
    off?.();
  }
  if (avg.count === 0) return;
  if (flags.json) cli.o.out(jsonAverage(views, avg, first));
  else for (const v of views) cli.o.out(renderSarBlock(v, 'Average:', 'Average:', avg.row(v)));
}

function textBlocks(views: readonly SarView[], iv: CounterInterval): string {
  return views
    .map((v) => renderSarBlock(v, clockLabel(iv.start), clockLabel(iv.end), sarRow(v, iv)))
    .join('');
}

function jsonLine(views: readonly SarView[], iv: CounterInterval): string {
  const line: Record<string, unknown> = { time: iv.end.toISOString(), interval: round3(iv.seconds) };
  for (const v of views) line[v] = sarJsonRow(v, sarRow(v, iv));
  if (iv.resets.length > 0) line['resets'] = iv.resets;
  return `${JSON.stringify(line)}\n`;
}

function jsonAverage(views: readonly SarView[], avg: SarAverager, first: Date | undefined): string {
  const line: Record<string, unknown> = {
    average: true,
    time: first?.toISOString(),
    interval: round3(avg.seconds),
  };
  for (const v of views) line[v] = sarJsonRow(v, avg.row(v), true);
  return `${JSON.stringify(line)}\n`;
}

function warn(cli: Cli, iv: CounterInterval, warned: Set<string>): void {
  const lines = [...(iv.sample.warnings ?? [])];
  if (iv.resets.length > 0)
    lines.push(`counters went backwards (reset), shown as 0: ${iv.resets.join(', ')}`);
  for (const w of lines) {
    if (warned.has(w)) continue;
    warned.add(w);
    cli.o.note(w);
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** `-n` to views, in the order given; ALL is every view. */
export function parseViews(text: string): SarView[] {
  const out: SarView[] = [];
  for (const word of text.split(',').map((w) => w.trim().toUpperCase())) {
    if (word === '') continue;
    const add =
      word === 'ALL' ? SAR_VIEWS : (SAR_VIEWS as readonly string[]).includes(word) ? [word as SarView] : [];
    if (add.length === 0)
      throw new UsageError(`-n: unknown view '${word}': valid are ${SAR_VIEWS.join(', ')}, ALL`);
    for (const v of add) if (!out.includes(v)) out.push(v);
  }
  if (out.length === 0) throw new UsageError('-n: no view given');
  return out;
}

/** INTERVAL in seconds (decimals allowed, 0.05 to 86400) to milliseconds. */
export function parseInterval(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim()))
    throw new UsageError(`INTERVAL: '${text}' is not a number of seconds`);
  const s = Number(text);
  if (s < 0.05 || s > 86400) throw new UsageError(`INTERVAL: ${s} is out of range 0.05..86400 seconds`);
  return s * 1000;
}
