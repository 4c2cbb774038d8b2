/**
 * `tcpscope simulate`: two TCP ends, each the state machine of src/tcp, over a network that can lose,
 * delay, duplicate and reorder segments; a ladder diagram with both ends' states after every step.
 */
import { UsageError } from '../../errors.js';
import type { Scenario } from '../../sim/index.js';
import type { Cli } from '../output.js';
import { readText } from './_files.js';
import { writeLadder } from './_ladder.js';

interface Flags {
  list?: boolean;
  script?: string;
  print?: boolean;
  format: string;
  json?: boolean;
  output?: string;
  theme: string;
  why: boolean;
}

/** Runs `simulate [SCENARIO]`. */
export async function run(cli: Cli, flags: Flags, id: string | undefined): Promise<void> {
  const sim = await import('../../sim/index.js');
  if (id !== undefined && (flags.list || flags.script !== undefined))
    throw new UsageError(`'${id}': name a scenario, or give --script or --list, not both`);
  if (flags.list) {
    const rows = sim.SCENARIO_IDS.map((s) => ({ id: s, title: sim.builtinScenario(s)!.title }));
    if (flags.json) cli.o.out(`${JSON.stringify({ scenarios: rows }, null, 2)}\n`);
    else
      cli.o.out(
        rows
          .map((r) => `${r.id.padEnd(24)}${r.title}`)
          .join('\n')
          .concat('\n'),
      );
    return;
  }
  const { scenario, script } = await load(sim, id, flags.script);
  if (flags.print) {
    cli.o.out(script.endsWith('\n') ? script : `${script}\n`);
    return;
  }
  await writeLadder(cli, sim.simulate(scenario), flags);
}

async function load(
  sim: typeof import('../../sim/index.js'),
  id: string | undefined,
  file: string | undefined,
): Promise<{ scenario: Scenario; script: string }> {
  if (file !== undefined) {
    const script = await readText(file);
    return { scenario: sim.parseScript(script, file), script };
  }
  if (id === undefined)
    throw new UsageError(`name a scenario (${sim.SCENARIO_IDS.join(', ')}) or use --list`);
  const script = sim.scenarioScript(id);
  if (script === undefined) {
    throw new UsageError(`unknown scenario '${id}': valid are ${sim.SCENARIO_IDS.join(', ')}`);
  }
  return { scenario: sim.parseScript(script, id), script };
}
