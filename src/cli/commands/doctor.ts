/** `tcpscope doctor`: findings with evidence, severity and the fix, from a snapshot and counter rates. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildConfig, type DoctorConfig } from '../../doctor/config.js';
import { type Diagnosis, diagnose, reaches } from '../../doctor/diagnose.js';
import { explainRule } from '../../doctor/explain.js';
import { baselineOf, gather, readBaseline } from '../../doctor/gather.js';
import type { DoctorInput, Finding, Severity } from '../../doctor/types.js';
import { ParseError, UsageError } from '../../errors.js';
import { addLangOption, langOf } from '../lang-option.js';
import type { Cli } from '../output.js';
import { renderDiagnosis } from '../render-findings.js';
import { addSourceOptions, type SourceFlags, sourceOptions } from '../socket-options.js';

interface DoctorFlags extends SourceFlags {
  window: string;
  now?: boolean;
  json?: boolean;
  failOn: string;
  lang?: string;
  config?: string;
  set: string[];
  baseline?: string;
  saveBaseline?: string;
}

const EXAMPLES = `
Examples:
  tcpscope doctor                      3 s window: a snapshot every second and counter rates, worst first
  tcpscope doctor --now                one snapshot only: what it proves (rules needing the window are listed as skipped)
  tcpscope doctor --fail-on warning    exit 1 when a warning or worse is found (cron, CI)
  tcpscope doctor --set close-wait-leak.warning=50 --json
  tcpscope doctor --save-baseline /etc/tcpscope/listeners.json
  tcpscope doctor --baseline /etc/tcpscope/listeners.json   flag listeners the baseline lacks
  tcpscope doctor --netns blue --lang zh
Exit status: 0 no finding at or above --fail-on, 1 some finding reaches it, 2 usage or environment error.
Thresholds (--set rule.key=value, or a config file { "thresholds": { ... } }): see --json's "config".
`;

/** Registers `doctor`. */
export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('doctor')
    .description('diagnose TCP trouble: findings with evidence (process, port, peers), severity and the fix')
    .option(
      '--window <seconds>',
      'seconds to watch (a snapshot about every second, counters at both ends)',
      '3',
    )
    .option('--now', 'a single snapshot, no sampling window')
    .option('--json', 'JSON output')
    .option('--fail-on <level>', 'exit 1 when a finding reaches: warning, critical or never', 'critical')
    .option('--config <file>', 'a JSON file with thresholds')
    .option(
      '--set <rule.key=value>',
      'override a threshold (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--baseline <file>', 'flag listeners not in this baseline')
    .option('--save-baseline <file>', 'write the current listeners as a baseline and exit');
  addLangOption(cmd);
  addSourceOptions(cmd);
  cmd.addHelpText('after', EXAMPLES).action(async (flags: DoctorFlags) => {
    const failOn = parseFailOn(flags.failOn);
    const lang = langOf(flags, cli);
    const window = parseWindow(flags.window);
    const windowSeconds = flags.now ? 0 : window;
    const config = loadConfig(flags);
    const source = sourceOptions(flags);
    const baseline = flags.baseline !== undefined ? readBaseline(flags.baseline) : undefined;
    if (windowSeconds > 0 && !flags.json)
      cli.o.note(
        `watching for ${windowSeconds} s: a snapshot about every second and the counters (--now for one snapshot)`,
      );
    const input = await gather({ ...source, windowSeconds, config, lang, ...(baseline ? { baseline } : {}) });
    if (flags.saveBaseline !== undefined) {
      const b = baselineOf(input.snapshot);
      writeFileSync(flags.saveBaseline, `${JSON.stringify(b, null, 2)}\n`);
      cli.o.note(`baseline of ${b.listeners.length} listener(s) written to ${flags.saveBaseline}`);
      return;
    }
    const diagnosis = diagnose(input, explainRule);
    if (diagnosis.findings.some((f) => reaches(f, failOn))) cli.exit(1);
    if (flags.json) cli.o.out(`${JSON.stringify(doctorJson(input, diagnosis, windowSeconds, config))}\n`);
    else cli.o.out(renderDiagnosis(cli.o, diagnosis, { lang, windowSeconds, source: input.snapshot.source }));
  });
}

function doctorJson(input: DoctorInput, d: Diagnosis, windowSeconds: number, config: DoctorConfig): object {
  return {
    time: input.snapshot.time,
    windowSeconds,
    ...(input.window ? { snapshots: input.window.snapshots } : {}),
    findings: d.findings,
    skipped: d.skipped,
    ...(d.unseen ? { unseen: d.unseen } : {}),
    config,
  };
}

function parseFailOn(text: string): Severity | 'never' {
  if (text === 'warning' || text === 'critical' || text === 'never' || text === 'info') return text;
  throw new UsageError(`--fail-on: '${text}' is not warning, critical or never`);
}

function parseWindow(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > 3600)
    throw new UsageError(`--window: '${text}' is not a number of seconds (0 < s <= 3600)`);
  return n;
}

function loadConfig(flags: DoctorFlags): DoctorConfig {
  let file: unknown;
  if (flags.config !== undefined) {
    try {
      file = JSON.parse(readFileSync(flags.config, 'utf8'));
    } catch (e) {
      throw new ParseError(`--config ${flags.config}: ${(e as Error).message}`);
    }
  }
  const { config, errors } = buildConfig(file, flags.set);
  if (errors.length > 0) throw new UsageError(errors[0]!);
  return config;
}

export type { Finding };
