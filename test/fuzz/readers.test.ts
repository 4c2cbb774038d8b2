/**
 * Coverage-guided fuzzing of every reader of input written by others: captures (pcap, pcapng, and
 * the flow tracker behind them), sock_diag dumps (the full, wide and lean parsers), /proc/net/tcp,
 * tracefs ring pages, trace text, event formats, and the counters' files. Each target runs for
 * FUZZ_SECONDS (15 by default) from its recorded fixtures, guided by V8's block coverage
 * (test/helpers/fuzz); a crash, a hang or a runaway heap fails the test, names the saved input,
 * and that input becomes a regression input under test/fixtures/fuzz/TARGET/, replayed here on
 * every run. bench/fuzz/run.sh runs longer.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runFuzz } from '../helpers/fuzz/run.js';
import { TARGETS } from '../helpers/fuzz/targets.js';
import { testSeed } from '../helpers/random.js';

const SECONDS = Number(process.env['FUZZ_SECONDS'] ?? 15);
const seed = testSeed();
const REGRESSIONS = fileURLToPath(new URL('../../../test/fixtures/fuzz/', import.meta.url));

describe('the fuzzer', () => {
  it('is guided by coverage: it solves a maze that blind mutation of the seed does not', async () => {
    const budget = { seed, ms: 60_000, maxExecs: 20_000, maxCrashes: 1 };
    const guided = await runFuzz('maze', budget);
    assert.equal(guided.crashes.length, 1, `guided: ${guided.execs} inputs, ${guided.found} kept`);
    assert.match(guided.crashes[0]!.message, /the maze was solved/);
    assert.ok(guided.found >= 4, 'each check passed was kept');
    const blind = await runFuzz('maze', { ...budget, guided: false });
    assert.equal(blind.crashes.length, 0, `blind mutation solved it too in ${blind.execs} inputs`);
  });

  it('keeps an input that hangs, and one that takes the heap, and stops the worker', async () => {
    const hang = await runFuzz('stall', { seed, ms: 60_000, hangMs: 1_000 });
    assert.equal(hang.crashes.length, 1);
    assert.match(hang.crashes[0]!.message, /^hang: /);
    assert.deepEqual([...readFileSync(hang.files[0]!)], [0]);
    const runaway = await runFuzz('runaway', { seed, ms: 60_000, heapMb: 64 });
    assert.equal(runaway.crashes.length, 1);
    assert.match(runaway.crashes[0]!.message, /^runaway: /);
  });
});

describe(`readers under coverage-guided fuzzing (${SECONDS} s each, TCPSCOPE_SEED=${seed})`, () => {
  for (const name of Object.keys(TARGETS)) {
    it(`${name}: no crash, no hang, no runaway heap`, { timeout: SECONDS * 1000 + 120_000 }, async (t) => {
      const r = await runFuzz(name, { seed, ms: SECONDS * 1000 });
      t.diagnostic(
        `${name}: ${r.execs} inputs, ${r.features} features, ${r.found} inputs kept, corpus ${r.corpus}`,
      );
      const why = r.crashes.map((c, i) => `${r.files[i]}:\n${c.message}`).join('\n\n');
      assert.equal(r.crashes.length, 0, `copy the input into test/fixtures/fuzz/${name}/ and fix:\n${why}`);
      assert.ok(r.features > 0, 'coverage reached the reader');
      assert.ok(r.found > 0, 'the search found inputs that reach new code');
    });
  }

  it('replays every input that once crashed a reader', () => {
    let n = 0;
    for (const name of existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS) : []) {
      const target = TARGETS[name];
      assert.ok(target, `test/fixtures/fuzz/${name}: no such target`);
      for (const f of readdirSync(REGRESSIONS + name)) {
        target.run(new Uint8Array(readFileSync(`${REGRESSIONS}${name}/${f}`)));
        n++;
      }
    }
    assert.ok(n > 0, 'regression inputs exist');
  });
});
