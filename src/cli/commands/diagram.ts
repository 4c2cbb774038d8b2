/**
 * `tcpscope diagram`: the TCP state diagram, client path solid and server path dashed, as SVG,
 * Mermaid, DOT or terminal text, with socket counts (live or saved), a highlighted state, in English
 * or Chinese.
 */
import { EnvironmentError, UsageError } from '../../errors.js';
import type { DiagramOptions, PathChoice, StateCounts, Styler, Theme } from '../../render/index.js';
import { countStatesFast } from '../../snapshot/take.js';
import { parseStateName, type TcpState, validStateWords } from '../../tcp/index.js';
import { langOf } from '../lang-option.js';
import { type Cli, type Colour, paint } from '../output.js';
import { type SourceFlags, sourceOptions } from '../socket-options.js';
import { readJson, writeText } from './_files.js';

const FORMATS = ['svg', 'mermaid', 'dot', 'text'] as const;
type Format = (typeof FORMATS)[number];
const EXTENSIONS: Readonly<Record<string, Format>> = {
  svg: 'svg',
  mmd: 'mermaid',
  mermaid: 'mermaid',
  dot: 'dot',
  gv: 'dot',
  txt: 'text',
};

interface Flags extends SourceFlags {
  format?: string;
  path: string;
  counts?: string;
  highlight?: string;
  output?: string;
  lang?: string;
  theme: string;
  json?: boolean;
}

/** Runs `diagram`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  const r = await import('../../render/index.js');
  const path = choice(flags.path, ['client', 'server', 'both', 'all'], '--path') as PathChoice;
  const lang = langOf(flags, cli);
  const highlight = flags.highlight === undefined ? {} : { highlight: stateArg(flags.highlight) };
  const theme = choice(flags.theme, ['auto', 'light', 'dark'], '--theme') as Theme;
  const format = formatOf(flags, cli.o.tty);
  if (theme !== 'auto' && format !== 'svg' && !flags.json)
    throw new UsageError(`--theme: the colours of the SVG diagram, and this one is ${format} (-f svg)`);
  const stateCounts = await counts(cli, flags);
  const opts: DiagramOptions = {
    path,
    lang,
    ...highlight,
    ...(stateCounts === undefined ? {} : { counts: stateCounts }),
  };
  if (flags.json) {
    cli.o.out(`${JSON.stringify(diagramJson(r, opts), null, 2)}\n`);
    return;
  }
  let text: string;
  if (format === 'svg') text = r.diagramSvg({ ...opts, theme });
  else if (format === 'mermaid') text = r.diagramMermaid(opts);
  else if (format === 'dot') text = r.diagramDot(opts);
  else text = r.diagramText(opts, flags.output ? undefined : styler(cli));
  if (flags.output) {
    await writeText(flags.output, text);
    cli.o.note(`wrote ${flags.output} (${format})`);
  } else cli.o.out(text);
}

function choice(value: string, valid: readonly string[], flag: string): string {
  if (!valid.includes(value)) throw new UsageError(`${flag} '${value}': valid are ${valid.join(', ')}`);
  return value;
}

function stateArg(word: string): TcpState {
  const s = parseStateName(word);
  if (!s)
    throw new UsageError(
      `--highlight: unknown state '${word}': valid are ${validStateWords().slice(0, 11).join(', ')}`,
    );
  return s;
}

function formatOf(flags: Flags, tty: boolean): Format {
  if (flags.format !== undefined) return choice(flags.format, FORMATS, '--format') as Format;
  if (flags.output) return EXTENSIONS[flags.output.split('.').pop()?.toLowerCase() ?? ''] ?? 'svg';
  return tty ? 'text' : 'svg';
}

const SOURCE_FLAGS = [
  ['source', '--source'],
  ['netns', '--netns'],
  ['netnsPid', '--netns-pid'],
  ['procRoot', '--proc-root'],
] as const;

/** Counts from a saved file, or `live` from the socket table (where --netns, --netns-pid and --source say). */
async function counts(cli: Cli, flags: Flags): Promise<StateCounts | undefined> {
  const where = sourceOptions(flags);
  const source = flags.counts;
  if (source !== 'live') {
    const given = SOURCE_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
    if (given.length > 0)
      throw new UsageError(`${given.join(', ')}: only with --counts live (the table read)`);
  }
  if (source === undefined) return undefined;
  const r = await import('../../render/index.js');
  if (source !== 'live') return r.stateCountsFromJson(await readJson(source), source);
  const live = await countStatesFast(where);
  if (!live) throw new EnvironmentError('--counts live: the socket table could not be read');
  for (const w of live.warnings) cli.o.note(w);
  if (live.malformed > 0) cli.o.note(`${live.malformed} malformed line(s) or message(s) skipped`);
  return live.states;
}

/** The terminal colours of the diagram and the ladder. */
export function styler(cli: Cli): Styler {
  const colours: Record<Parameters<Styler>[0], Colour> = {
    client: 'blue',
    server: 'red',
    changed: 'yellow',
    anomaly: 'magenta',
    dim: 'gray',
    title: 'bold',
  };
  return (role, text) => paint(cli.o, colours[role], text);
}

function diagramJson(r: typeof import('../../render/index.js'), opts: DiagramOptions): unknown {
  const shown = r.DIAGRAM_EDGES.filter((e) => r.onPath(e, opts.path));
  return {
    path: opts.path,
    states: [...r.statesOnPath(opts.path)].map((s) => ({
      state: s,
      ...(opts.counts ? { count: opts.counts[s] ?? 0 } : {}),
    })),
    transitions: shown.map((e) => ({
      from: e.from,
      to: e.to,
      path: e.path,
      label: e.label[opts.lang],
      cause: e.cause,
    })),
    ...(opts.highlight ? { highlight: opts.highlight } : {}),
  };
}
