/**
 * `tcpscope report`: what the history holds over a range: per state min/avg/max/last with a
 * sparkline, the moments that changed most, the trend rules, the doctor's findings and counter
 * rates; `--at TIME` one moment, like `sar -f`; `--json`; `-o FILE.html` a self-contained page.
 * Exit 1 (with one line) when the range holds no reading; 2 for a missing history or a bad flag.
 */
import { writeFileSync } from 'node:fs';
import { EnvironmentError, fromErrno, UsageError } from '../../errors.js';
import { renderReportHtml } from '../../render/report-html.js';
import { localTime, renderMomentText, renderReportText } from '../../render/report-text.js';
import { type History, openHistory, parseMoment } from '../../store/index.js';
import { buildReport } from '../../store/report-model.js';
import { OTHER } from '../../store/sample-rows.js';
import { parseStateName } from '../../tcp/state-names.js';
import { momentView, reportView } from '../../views/report.js';
import type { Cli } from '../output.js';
import { parseIntFlag } from '../socket-options.js';
import { historyFile } from './record.js';

interface Flags {
  db?: string;
  from?: string;
  to?: string;
  state?: string;
  port?: string;
  process?: string;
  at?: string;
  top: string;
  json?: boolean;
  output?: string;
}

const DAY = 86_400_000;

/** Runs `report`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  const now = new Date();
  const top = parseIntFlag('--top', flags.top, 1, 1000);
  const state = flags.state !== undefined ? stateFlag(flags.state) : undefined;
  const port = flags.port !== undefined ? parseIntFlag('--port', flags.port, 1, 65535) : undefined;
  if (port !== undefined && flags.process !== undefined)
    throw new UsageError('--port and --process exclude each other (the history keeps them apart)');
  if (flags.at !== undefined) {
    for (const f of ['from', 'to', 'state', 'port', 'process', 'output'] as const)
      if (flags[f] !== undefined)
        throw new UsageError(`--at shows one moment of the whole table: it takes no --${f}`);
  }
  const at = flags.at !== undefined ? parseMoment('--at', flags.at, now) : undefined;
  const to = flags.to !== undefined ? parseMoment('--to', flags.to, now) : now.getTime();
  const from = flags.from !== undefined ? parseMoment('--from', flags.from, now) : to - DAY;
  if (from > to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to ?? 'now'}`);
  const file = historyFile(cli, flags.db);
  const history = await openHistory(file, { readonly: true });
  try {
    const bounds = history.bounds();
    if (!bounds) return nothing(cli, `${file}: the history holds no reading yet`);
    if (at !== undefined) return moment(cli, history, at, top, flags.json === true);
    const filter = {
      ...(state !== undefined ? { state } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(flags.process !== undefined ? { process: flags.process } : {}),
    };
    const series = history.series({ from, to, ...filter });
    if (series.length === 0)
      return nothing(
        cli,
        `${file}: no reading between ${localTime(from)} and ${localTime(to)} (it holds ${localTime(bounds.first)} to ${localTime(bounds.last)})`,
      );
    const listening = new Map<number, Set<string>>();
    for (const p of series) listening.set(p.time, new Set());
    if (port === undefined && flags.process === undefined)
      for (const [t, key, , v] of history.keyed('port', from, to, 'LISTEN'))
        if (key !== OTHER && v > 0) listening.get(t)?.add(key);
    const model = buildReport({
      file,
      from,
      to,
      level: history.levelFor(from, to),
      filter,
      series,
      rates: port === undefined && flags.process === undefined ? history.rates(from, to) : [],
      listening:
        port === undefined && flags.process === undefined
          ? [...listening].sort((a, b) => a[0] - b[0]).map(([time, ports]) => ({ time, ports }))
          : [],
      findings: history.findings(from, to),
      // The machine's transitions: not narrowed by port or process.
      ...(port === undefined && flags.process === undefined
        ? { transitions: history.transitions(from, to) }
        : {}),
    });
    if (flags.output !== undefined) {
      try {
        writeFileSync(flags.output, renderReportHtml(model));
      } catch (e) {
        throw fromErrno(e, `-o ${flags.output}`);
      }
      if (!flags.json) cli.o.note(`wrote ${flags.output}`);
    }
    if (flags.json) cli.o.out(`${JSON.stringify(reportView(model))}\n`);
    else if (flags.output === undefined) cli.o.out(renderReportText(model, cli.o.columns));
  } finally {
    history.close();
  }
}

function moment(cli: Cli, history: History, at: number, top: number, json: boolean): void {
  const m = history.at(at, top);
  if (!m) throw new EnvironmentError(`${history.file}: no reading near ${localTime(at)}`);
  const findings = history.findings(m.time, m.time);
  if (json) cli.o.out(`${JSON.stringify(momentView(history.file, m, findings))}\n`);
  else {
    let text = renderMomentText(history.file, m);
    if (findings.length > 0)
      text += `\nFindings: ${findings.map((f) => `${f.severity} ${f.title}`).join('; ')}\n`;
    cli.o.out(text);
  }
}

function nothing(cli: Cli, line: string): void {
  cli.o.note(line);
  cli.exit(1);
}

function stateFlag(text: string): string {
  const s = parseStateName(text);
  if (!s)
    throw new UsageError(
      `--state: unknown state '${text}' (one state: established, close-wait, time-wait...)`,
    );
  return s;
}
