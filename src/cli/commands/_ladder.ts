/**
 * Internal: a ladder (a simulation's, or a connection's of a capture) written as `simulate` and
 * `pcap --timeline` take their flags: text, SVG or JSON, to the terminal or a file. A flag for
 * another format than the one written (`--theme` is the SVG's, `--no-why` the text's) is refused.
 */
import { UsageError } from '../../errors.js';
import type { ConnTrace } from '../../flow/trace.js';
import type { Theme } from '../../render/index.js';
import type { Cli } from '../output.js';
import { writeText } from './_files.js';
import { styler } from './diagram.js';

export interface LadderFlags {
  format: string;
  json?: boolean;
  output?: string;
  theme: string;
  why: boolean;
}

/**
 * The format the flags ask for, and the theme, once checked (a capture's command checks before it
 * reads the capture).
 */
export function ladderFormat(flags: LadderFlags): { format: 'text' | 'svg' | 'json'; theme: Theme } {
  const format = flags.json
    ? 'json'
    : flags.output?.endsWith('.svg') && flags.format === 'text'
      ? 'svg'
      : flags.format;
  if (format !== 'text' && format !== 'svg' && format !== 'json')
    throw new UsageError(`--format '${flags.format}': valid are text, svg, json`);
  const theme = themeOf(flags.theme);
  if (theme !== 'auto' && format !== 'svg')
    throw new UsageError(`--theme: the colours of the SVG ladder, and this ladder is ${format}`);
  if (!flags.why && format !== 'text')
    throw new UsageError(`--no-why: the text ladder's explanations, and this ladder is ${format}`);
  return { format, theme };
}

/** Writes `trace` as the flags say. */
export async function writeLadder(cli: Cli, trace: ConnTrace, flags: LadderFlags): Promise<void> {
  const r = await import('../../render/index.js');
  const { format, theme } = ladderFormat(flags);
  const text =
    format === 'json'
      ? `${JSON.stringify(r.simulationJson(trace), null, 2)}\n`
      : format === 'svg'
        ? r.ladderSvg(trace, { theme })
        : r.ladderText(trace, { why: flags.why, ...(flags.output ? {} : { style: styler(cli) }) });
  if (flags.output) {
    await writeText(flags.output, text);
    cli.o.note(`wrote ${flags.output} (${format}, ${trace.events.length} steps)`);
  } else cli.o.out(text);
}

function themeOf(t: string): Theme {
  if (t !== 'auto' && t !== 'light' && t !== 'dark')
    throw new UsageError(`--theme '${t}': valid are auto, light, dark`);
  return t;
}
