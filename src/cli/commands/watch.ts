/**
 * `tcpscope watch`: a live view of the TCP states, like top: counts with their change and recent
 * history, the connections of a chosen state with new, changed and closed ones marked, rates,
 * findings and transitions. On a terminal it takes the screen (keys: j/k, /, s, p, ?, q); otherwise
 * it prints the counts every refresh.
 */
import { UsageError } from '../../errors.js';
import { buildFilter } from '../../snapshot/filter.js';
import { maskHas, maskStates, parseStateName } from '../../tcp/state-names.js';
import type { TcpState } from '../../tcp/states.js';
import { applySample, createModel, moveSelection, nextSort, type WatchModel } from '../../watch/model.js';
import { openWatchSampler } from '../../watch/sampler.js';
import { renderPlain, renderScreen } from '../../watch/screen.js';
import { type Key, openTerminal } from '../../watch/terminal.js';
import { keepCompiledCode } from '../long-running.js';
import type { Cli } from '../output.js';
import {
  type FilterFlags,
  filterLine,
  filterSpec,
  parseFilterLine,
  parseIntFlag,
  parseSecondsFlag,
  type SourceFlags,
  sourceOptions,
} from '../socket-options.js';

interface Flags extends SourceFlags, FilterFlags {
  interval: string;
  select?: string;
  count?: string;
  trace: boolean;
  ownersEvery: string;
}

/** Applies a filter line to the model; a bad one is refused with its message. */
function setFilter(m: WatchModel, text: string): string | undefined {
  if (text.trim() === '') {
    delete m.filter;
    return undefined;
  }
  try {
    const spec = filterSpec(parseFilterLine(text));
    const match = buildFilter(spec);
    m.filter = { text: text.trim(), match };
    // A state filter moves the selection to its first state.
    if (spec.states !== undefined && !maskHas(spec.states, m.selected)) {
      const first = maskStates(spec.states)[0];
      if (first) m.selected = first;
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs `watch` until q, Ctrl-C, SIGTERM or --count refreshes. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  keepCompiledCode();
  const every = parseSecondsFlag('-n', flags.interval, 0.2, 3600);
  const count = flags.count !== undefined ? parseIntFlag('--count', flags.count, 1, 1e9) : undefined;
  let selected: TcpState = 'ESTABLISHED';
  if (flags.select !== undefined) {
    const st = parseStateName(flags.select);
    if (!st) throw new UsageError(`--select: unknown state '${flags.select}'`);
    selected = st;
  }
  const model = createModel(selected);
  const initial = filterLine(flags);
  if (initial !== '') {
    const err = setFilter(model, initial);
    if (err) throw new UsageError(err);
  }
  const source = sourceOptions(flags);
  // A terminal on both ends takes the screen, whether or not colour is wanted.
  const term = cli.env.TCPSCOPE_WATCH_PLAIN ? undefined : openTerminal();
  // Without a terminal only the counts are printed: nothing is listed to select or filter.
  if (!term && (flags.select !== undefined || initial !== ''))
    throw new UsageError(
      `${flags.select !== undefined ? '--select' : initial.split(' ')[0]}: the connections listed on a terminal; without one, watch prints every socket's counts`,
    );
  const sampler = await openWatchSampler({
    ...(source.procRoot !== undefined ? { procRoot: source.procRoot } : {}),
    ...(source.netns !== undefined ? { netns: source.netns } : {}),
    ...(source.netnsPid !== undefined ? { netnsPid: source.netnsPid } : {}),
    ...(source.source !== undefined ? { source: source.source } : {}),
    trace: flags.trace !== false,
    intervalMs: every,
    ownersEvery: parseIntFlag('--owners-every', flags.ownersEvery, 1, 1000),
    columns: true,
  }).catch((e) => {
    term?.restore();
    throw e;
  });
  const colour = term !== undefined && !cli.env.NO_COLOR && cli.env.TERM !== 'dumb';
  let prompt: string | undefined;
  let message: string | undefined;
  let stopping = false;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      stopping = true;
      resolve();
    };
  });
  const draw = (): void => {
    if (!term || stopping) return;
    term.draw(
      renderScreen(model, {
        rows: term.rows,
        cols: term.cols,
        colour,
        where: sampler.where,
        intervalMs: every,
        ...(prompt !== undefined ? { prompt } : {}),
        ...(message !== undefined ? { message } : {}),
      }),
    );
  };
  const onKey = (k: Key): void => {
    if (k.kind === 'interrupt') {
      stop();
      return;
    }
    if (prompt !== undefined) {
      if (k.kind === 'enter') {
        message = setFilter(model, prompt);
        prompt = undefined;
      } else if (k.kind === 'escape') prompt = undefined;
      else if (k.kind === 'backspace') prompt = prompt.slice(0, -1);
      else if (k.kind === 'clear') prompt = '';
      else if (k.kind === 'char' && prompt.length < 200) prompt += k.ch;
      return;
    }
    message = undefined;
    if (model.help) {
      model.help = false;
      return;
    }
    if (k.kind === 'up' || (k.kind === 'char' && k.ch === 'k')) moveSelection(model, -1);
    else if (k.kind === 'down' || (k.kind === 'char' && k.ch === 'j')) moveSelection(model, 1);
    else if (k.kind === 'char' && k.ch === 'q') stop();
    else if (k.kind === 'char' && k.ch === '/') prompt = model.filter?.text ?? '';
    else if (k.kind === 'char' && k.ch === 's') nextSort(model);
    else if (k.kind === 'char' && k.ch === 'p') model.paused = !model.paused;
    else if (k.kind === 'char' && k.ch === '?') model.help = true;
  };
  term?.onKeys((keys) => {
    for (const k of keys) onKey(k);
    draw();
  });
  term?.onResize(draw);
  const off = cli.onInterrupt?.(() => stop());
  let refreshes = 0;
  let timer: NodeJS.Timeout | undefined;
  let failed: unknown;
  const tick = async (): Promise<void> => {
    try {
      if (!model.paused || refreshes === 0) {
        const sample = await sampler.next();
        // A reading that ends after q draws nothing and schedules nothing: the process can exit.
        if (stopping) return;
        applySample(model, sample);
        refreshes++;
        if (term) draw();
        else cli.o.out(renderPlain(model, sampler.where));
      }
      if (count !== undefined && refreshes >= count) {
        stop();
        return;
      }
      if (!stopping) timer = setTimeout(() => void tick(), every);
    } catch (e) {
      failed = e;
      stop();
    }
  };
  void tick();
  try {
    await stopped;
  } finally {
    if (timer) clearTimeout(timer);
    off?.();
    term?.restore();
    await sampler.close();
  }
  if (failed) throw failed;
}
