/**
 * What `tcpscope lab run` shows of a running scenario: the kernel's table on its ports (ss), what the
 * holder saw, the scenario's sysctls, then "what tcpscope sees": tcpscope's own commands run in the
 * namespace in this process (count, the scenario's own, ls -p, who, and the doctor when this tcpscope
 * has one), and what really happens. Human text as it goes, or one JSON object at the end.
 */
import { labSteps } from '../lab/catalog.js';
import type { LabStep } from '../lab/catalog-types.js';
import type { LabRun } from '../lab/start.js';
import { clip, factLines, renderSummary, type StateSummary, summarizeSockets } from '../render/lab-text.js';
import { type Cli, paint } from './output.js';

/** A step as `lab run --json` reports it (docs/json.md): the command, and its exit code and output, or why it was skipped. */
export interface StepResult {
  argv: string[];
  exitCode?: number;
  output?: unknown;
  stderr?: string;
  skipped?: string;
  /** What a non-zero exit status means for this command, in words. */
  meaning?: string;
}

/** What exit 1 means, per command (the README's exit codes); 2 is always a usage or environment error. */
const EXIT_1: Readonly<Record<string, string>> = {
  doctor:
    'the doctor found a problem at or above --fail-on (critical by default); cron and CI read this status',
  who: 'no socket has this port (as lsof exits 1)',
  kill: 'no socket matched the filter',
};

/** The meaning of a command's exit status, for a status other than 0. */
export function exitMeaning(command: string, code: number): string {
  if (code === 1) return EXIT_1[command] ?? 'the command answered "no"';
  if (code === 2) return 'a usage or environment error (see the message above)';
  if (code === 130) return 'interrupted (Ctrl-C)';
  return 'an internal error: a bug, please report it';
}

/** Lines of human output per command before "… N more lines". */
const MAX_LINES = 30;

/** Prints the header of a run: title, namespace, processes, the table on its ports, facts, sysctls. */
export function showMade(cli: Cli, lab: LabRun, summary: readonly StateSummary[]): void {
  const { scenario } = lab;
  const o = cli.o;
  o.out(`${paint(o, 'bold', `lab ${scenario.id}`)}: ${scenario.title}\n`);
  o.out(`namespace ${lab.netns} (private; removed at the end)\n`);
  for (const p of lab.processes) {
    o.out(`  ${p.role} pid ${p.pid}${p.exe ? ` run from ${p.exe} (deleted)` : ''}\n`);
  }
  o.out(`\nThe kernel's table on ${portsText(lab.ports)} (ss):\n${renderSummary(summary)}`);
  const facts = lab.processes.flatMap((p) => p.report.items.flatMap(factLines));
  for (const f of facts) o.out(`  ${f}\n`);
  const sysctls = Object.entries(lab.sysctls);
  if (sysctls.length > 0) o.out(`  sysctl ${sysctls.map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  o.out(`\n${paint(o, 'bold', 'What tcpscope sees')}:\n`);
}

/** Runs the scenario's steps; human output is written as each ends. Stops early when `stopped()` says so. */
export async function runSteps(
  cli: Cli,
  lab: LabRun,
  json: boolean,
  stopped: () => boolean,
  sleep: (ms: number) => Promise<void>,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of labSteps(lab.scenario, lab.netns, lab.culprit.port)) {
    if (stopped()) break;
    if (step.afterMs) await sleep(step.afterMs);
    if (stopped()) break;
    const r = await runStep(cli, step, json);
    results.push(r);
    if (!json) showStep(cli, r);
  }
  return results;
}

async function runStep(cli: Cli, step: LabStep, json: boolean): Promise<StepResult> {
  const argv = json ? [...step.argv, '--json'] : [...step.argv];
  const name = argv[0]!;
  if (!cli.hasCommand?.(name) || !cli.invoke) {
    return { argv, skipped: `this tcpscope has no ${name} command yet` };
  }
  const got = await cli.invoke(argv);
  const r: StepResult = { argv, exitCode: got.code };
  if (got.code !== 0) r.meaning = exitMeaning(name, got.code);
  r.output = json ? parseJson(got.out) : got.out;
  if (got.err) r.stderr = got.err;
  return r;
}

function showStep(cli: Cli, r: StepResult): void {
  const o = cli.o;
  o.out(`\n${paint(o, 'cyan', `$ tcpscope ${r.argv.join(' ')}`)}\n`);
  if (r.skipped) {
    o.out(`  (skipped: ${r.skipped})\n`);
    return;
  }
  if (typeof r.output === 'string' && r.output) o.out(clip(r.output, MAX_LINES));
  if (r.stderr) o.out(clip(r.stderr, 5));
  if (r.exitCode) o.out(`  (exit ${r.exitCode}: ${r.meaning ?? exitMeaning(r.argv[0]!, r.exitCode)})\n`);
}

/** Prints what really happens and, where the article says otherwise, its claim. */
export function showReality(cli: Cli, lab: LabRun): void {
  const o = cli.o;
  const s = lab.scenario;
  o.out(`\n${paint(o, 'bold', 'What really happens')}:\n`);
  if (s.folklore) o.out(`  The article: ${s.folklore}\n`);
  for (const line of s.reality) o.out(`  - ${line}\n`);
}

/** The run as one JSON object. */
export function runJson(
  lab: LabRun,
  summary: readonly StateSummary[],
  steps: readonly StepResult[],
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const s = lab.scenario;
  const states: Record<string, number> = {};
  for (const row of summary) states[row.state] = (states[row.state] ?? 0) + row.count;
  return {
    scenario: s.id,
    title: s.title,
    count: lab.count,
    netns: { name: lab.netns },
    processes: lab.processes.map((p) => ({ role: p.role, pid: p.pid, ...(p.exe ? { exe: p.exe } : {}) })),
    culprit: lab.culprit,
    rules: s.rules,
    ...(s.unowned ? { unowned: s.unowned } : {}),
    ports: lab.ports,
    states,
    sockets: summary,
    facts: lab.processes.flatMap((p) =>
      p.report.items.filter((i) => i.facts).map((i) => ({ kind: i.kind, port: i.port, ...i.facts })),
    ),
    sysctls: lab.sysctls,
    steps,
    ...(s.folklore ? { folklore: s.folklore } : {}),
    reality: s.reality,
    ...extra,
  };
}

/** The table on the scenario's ports, summed up. */
export async function madeSummary(lab: LabRun): Promise<StateSummary[]> {
  return summarizeSockets(await lab.sockets());
}

function portsText(ports: readonly number[]): string {
  return ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.join(', ')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
