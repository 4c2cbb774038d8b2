/**
 * `tcpscope lab`: makes every TCP state and the classic situations happen for real in a private
 * network namespace (root, iproute2, nftables), and shows what tcpscope sees of them.
 * `list`, `run SCENARIO` (make, show, remove), `up SCENARIO` (make and leave it), `down [NAME]`.
 */
import { UsageError } from '../../errors.js';
import { LAB_SCENARIOS } from '../../lab/catalog.js';
import { requireLab, type StartOptions, startLabScenario } from '../../lab/start.js';
import { downLab, type LabDown, labTargets, readLabStates } from '../../lab/state.js';
import { renderLabList, renderLabUp, renderSummary, upCommands } from '../../render/lab-text.js';
import { type LabFlags, runLab } from '../lab-run.js';
import { madeSummary, runJson } from '../lab-show.js';
import type { Cli } from '../output.js';
import { parseIntFlag } from '../socket-options.js';

/** Runs `lab run SCENARIO`. */
export function runScenario(cli: Cli, flags: LabFlags, id: string): Promise<void> {
  return runLab(cli, id, startOptions(flags), flags);
}

function startOptions(flags: LabFlags): StartOptions {
  const o: StartOptions = {};
  if (flags.count !== undefined) o.count = parseIntFlag('--count', flags.count, 1, 100_000);
  if (flags.port !== undefined) o.port = parseIntFlag('--port', flags.port, 1, 65535);
  return o;
}

/** Runs `lab list`. */
export function list(cli: Cli, flags: { json?: boolean; header: boolean }): void {
  const states = readLabStates();
  if (flags.json) {
    const scenarios = LAB_SCENARIOS.map(({ plan: _, steps: __, ...s }) => s);
    cli.o.out(`${JSON.stringify({ scenarios, up: states })}\n`);
    return;
  }
  cli.o.out(renderLabList(LAB_SCENARIOS, flags.header));
  if (states.length > 0) cli.o.out(`\nUp (tcpscope lab down removes them):\n${renderLabUp(states)}`);
}

/** Runs `lab up SCENARIO`. */
export async function up(cli: Cli, flags: LabFlags, id: string): Promise<void> {
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

/** Runs `lab down [NAME...]`. */
export async function down(
  cli: Cli,
  flags: { all?: boolean; json?: boolean },
  names: string[],
): Promise<void> {
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
