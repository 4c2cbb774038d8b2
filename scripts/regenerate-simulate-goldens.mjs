#!/usr/bin/env node
// Regenerates the golden outputs of the built-in scenarios, test/fixtures/simulate/<id>.txt (the ladder
// as `tcpscope simulate ID` prints it, without colour) and <id>.json (`--json`), from the built library.
// Run `node scripts/build.mjs` first; review the diff before committing it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sim = await import(join(root, 'build/src/sim/index.js'));
const render = await import(join(root, 'build/src/render/index.js'));
const dir = join(root, 'test/fixtures/simulate');
mkdirSync(dir, { recursive: true });
for (const id of sim.SCENARIO_IDS) {
  const res = sim.simulate(sim.builtinScenario(id));
  writeFileSync(join(dir, `${id}.txt`), render.ladderText(res));
  writeFileSync(join(dir, `${id}.json`), `${JSON.stringify(render.simulationJson(res), null, 2)}\n`);
}
console.log(`regenerate-simulate-goldens: ${sim.SCENARIO_IDS.length} scenarios written to ${dir}`);
