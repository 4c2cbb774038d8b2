/**
 * `tcpscope lab`: makes every TCP state and the classic situations happen for real in a private
 * network namespace (root, iproute2, nftables), and shows what tcpscope sees of them.
 * `list`, `run SCENARIO` (make, show, remove), `up SCENARIO` (make and leave it), `down [NAME]`.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { LAB_SCENARIOS } from '../../lab/catalog.js';
import { requireLab, type StartOptions, startLabScenario } from '../../lab/start.js';
import { downLab, type LabDown, labTargets, readLabStates } from '../../lab/state.js';
import { renderLabList, renderLabUp, renderSummary, upCommands } from '../../render/lab-text.js';
import { type LabFlags, runLab } from '../lab-run.js';
import { madeSummary, runJson } from '../lab-show.js';
import type { Cli } from '../output.js';
import { parseIntFlag } from '../socket-options.js';

const EXAMPLES = `
Each scenario runs in a private network namespace (tcpscope-lab-...) on its own loopback, with
real sockets, nftables rules that drop chosen packets, and timers shortened by per-namespace
sysctls; the host's network is never touched. Needs root, iproute2 and nftables.

Examples:
  tcpscope lab list                          the scenarios and what each shows
  sudo tcpscope lab run close-wait-leak      make the leak, show what tcpscope sees, remove it
  sudo tcpscope lab run syn-flood --count 500
  sudo tcpscope lab run vanished-load-client --json
  sudo tcpscope lab run time-wait --hold 20  keep it 20 s before removing it (Ctrl-C ends it)
  sudo tcpscope lab up half-open             make it and leave it: prints the namespace and how to look
  sudo tcpscope ls --netns tcpscope-lab-half-open-1234-0 -p
  sudo tcpscope lab down                     remove the one left up (or: down NAME, down --all)
`;

/** Registers `lab` and its subcommands. */
export function register(program: Command, cli: Cli): void {
  const lab = program
    .command('lab')
    .description('make TCP states and situations happen in a private namespace, and show them (root)')
    .addHelpText('after', EXAMPLES);
  lab
    .command('list')
    .description('the scenarios: id, what each shows, the default --count')
    .option('--json', 'JSON output')
    .option('-H, --no-header', 'no header line')
    .addHelpText('after', '\nExamples:\n  tcpscope lab list\n  tcpscope lab list --json\n')
    .action((flags: { json?: boolean; header: boolean }) => list(cli, flags));
  withScenarioFlags(
    lab.command('run').description('make a scenario, show what tcpscope sees, then remove everything'),
  )
    .option('--hold <seconds>', 'keep it this long after showing it, before removing it', '0')
    .addHelpText('after', EXAMPLES)
    .action((id: string, flags: LabFlags) => runLab(cli, id, startOptions(flags), flags));
  withScenarioFlags(
    lab.command('up').description('make a scenario and leave it running (until tcpscope lab down)'),
  )
    .addHelpText('after', EXAMPLES)
    .action((id: string, flags: LabFlags) => up(cli, id, flags));
  lab
    .command('down')
    .description('remove lab namespaces left up, and their processes')
    .argument('[name...]', 'namespaces to remove (tcpscope lab list shows those up)')
    .option('--all', 'every lab namespace left up, and stale ones')
    .option('--json', 'JSON output')
    .addHelpText('after', '\nExamples:\n  sudo tcpscope lab down\n  sudo tcpscope lab down --all --json\n')
    .action((names: string[], flags: { all?: boolean; json?: boolean }) => down(cli, names, flags));
}

function withScenarioFlags(cmd: Command): Command {
  return cmd
    .argument('<scenario>', 'a scenario id (tcpscope lab list)')
    .option('--count <n>', 'how many (connections, SYNs, clients: see lab list)')
    .option('--port <port>', 'the base port (each scenario has its own)')
    .option('--json', 'JSON output');
}

function startOptions(flags: LabFlags): StartOptions {
  const o: StartOptions = {};
  if (flags.count !== undefined) o.count = parseIntFlag('--count', flags.count, 1, 100_000);
  if (flags.port !== undefined) o.port = parseIntFlag('--port', flags.port, 1, 65535);
  return o;
}

function list(cli: Cli, flags: { json?: boolean; header: boolean }): void {
  const states = readLabStates();
  if (flags.json) {
    const scenarios = LAB_SCENARIOS.map(({ plan: _, steps: __, ...s }) => s);
    cli.o.out(`${JSON.stringify({ scenarios, up: states })}\n`);
    return;
  }
  cli.o.out(renderLabList(LAB_SCENARIOS, flags.header));
  if (states.length > 0) cli.o.out(`\nUp (tcpscope lab down removes them):\n${renderLabUp(states)}`);
}

async function up(cli: Cli, id: string, flags: LabFlags): Promise<void> {
  const lab = await startLabScenario(id, { ...startOptions(flags), keep: true });
  const summary = await madeSummary(lab);
  const commands = upCommands(lab.netns, lab.culprit.port, cli.hasCommand?.('doctor') ?? false);
  const down = `tcpscope lab down ${lab.netns}`;
  if (flags.json) {
    const out = runJson(lab, summary, [], { commands, down });
    delete out['steps'];
    cli.o.out(`${JSON.stringify(out)}\n`);
    return;
  }
  const o = cli.o;
  o.out(`lab ${id} is up in namespace ${lab.netns}\n`);
  for (const p of lab.processes)
    o.out(`  ${p.role} pid ${p.pid}${p.exe ? ` run from ${p.exe} (deleted)` : ''}\n`);
  o.out(`\nThe kernel's table on its ports (ss):\n${renderSummary(summary)}`);
  o.out(`\nLook at it (as root):\n${commands.map((c) => `  ${c}\n`).join('')}`);
  o.out(`\nRemove it: ${down}\n`);
  o.out(`\nWhat really happens:\n${lab.scenario.reality.map((l) => `  - ${l}\n`).join('')}`);
}

async function down(cli: Cli, names: string[], flags: { all?: boolean; json?: boolean }): Promise<void> {
  if (flags.all && names.length > 0) throw new UsageError('lab down: give names or --all, not both');
  await requireLab();
  let chosen = names;
  if (!flags.all && names.length === 0) {
    const up = readLabStates();
    if (up.length > 1) {
      throw new UsageError(
        `lab down: ${up.length} lab namespaces are up (${up.map((s) => s.name).join(', ')}): name one, or --all`,
      );
    }
    chosen = up.map((s) => s.name);
  }
  const { targets, skipped } = await labTargets(chosen, flags.all ?? false);
  const removed: LabDown[] = [];
  for (const name of targets) removed.push(await downLab(name));
  if (flags.json) {
    cli.o.out(`${JSON.stringify({ removed, skipped })}\n`);
    return;
  }
  if (removed.length === 0 && skipped.length === 0) cli.o.note('no lab namespace is up');
  for (const r of removed) {
    const killed = r.killed.length ? `, ended pid ${r.killed.join(', ')}` : '';
    cli.o.out(`removed ${r.name}${r.scenario ? ` (${r.scenario}${killed})` : killed}\n`);
  }
  for (const s of skipped) cli.o.note(`left ${s.name}: ${s.why}`);
}
