import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runJson, runSteps } from '../../src/cli/lab-show.js';
import type { Cli, Invoked } from '../../src/cli/output.js';
import { findScenario } from '../../src/lab/catalog.js';
import type { LabRun } from '../../src/lab/start.js';

/** A scenario that ran, as far as showing it needs. */
const lab = {
  scenario: findScenario('close-wait-leak')!,
  count: 2,
  netns: 'tcpscope-lab-close-wait-leak-1-0',
  processes: [{ role: 'holder', pid: 42, report: { pid: 42, items: [] } }],
  culprit: { role: 'holder', pid: 42, port: 8080 },
  ports: [8080],
  sysctls: { 'net.ipv4.tcp_fin_timeout': '30' },
} as unknown as LabRun;

/** A Cli whose commands are `known`, each answering with its argv (or `{...}` in JSON). */
function fakeCli(known: string[], calls: string[][]): Cli {
  let out = '';
  return {
    env: {},
    o: {
      out: (t) => {
        out += t;
      },
      err: () => {},
      note: () => {},
      tty: false,
      columns: 80,
      get text() {
        return out;
      },
    } as Cli['o'],
    exit: () => {},
    hasCommand: (name) => known.includes(name),
    invoke: async (argv): Promise<Invoked> => {
      calls.push([...argv]);
      const json = argv.includes('--json');
      return {
        code: argv[0] === 'doctor' ? 1 : 0,
        out: json ? '{"ok":true}\n' : `${argv.join(' ')}\n`,
        err: '',
      };
    },
  };
}

describe('lab run: what tcpscope sees', () => {
  it('runs the steps in the namespace and skips the doctor when this tcpscope has none', async () => {
    const calls: string[][] = [];
    const cli = fakeCli(['count', 'ls', 'who'], calls);
    const steps = await runSteps(
      cli,
      lab,
      true,
      () => false,
      async () => {},
    );
    assert.deepEqual(
      calls.map((c) => c[0]),
      ['count', 'count', 'ls', 'who'],
    );
    assert.ok(calls.every((c) => c.includes('--netns') && c.includes(lab.netns) && c.at(-1) === '--json'));
    assert.deepEqual(steps.at(-1), {
      argv: ['doctor', '--window', '2', '--netns', lab.netns, '--json'],
      skipped: 'this tcpscope has no doctor command yet',
    });
    assert.deepEqual(steps[0]!.output, { ok: true });
  });

  it('runs the doctor once it exists, and prints each command before its output', async () => {
    const calls: string[][] = [];
    const cli = fakeCli(['count', 'ls', 'who', 'doctor'], calls);
    const steps = await runSteps(
      cli,
      lab,
      false,
      () => false,
      async () => {},
    );
    assert.deepEqual(calls.at(-1), ['doctor', '--window', '2', '--netns', lab.netns]);
    assert.equal(steps.at(-1)!.exitCode, 1);
    const text = (cli.o as unknown as { text: string }).text;
    assert.match(
      text,
      /\n\$ tcpscope doctor --window 2 --netns tcpscope-lab-close-wait-leak-1-0\ndoctor --window 2/,
    );
    assert.match(text, /\(exit 1: findings, or nothing found\)\n$/);
  });

  it('stops at Ctrl-C', async () => {
    const calls: string[][] = [];
    let n = 0;
    await runSteps(
      fakeCli(['count', 'ls', 'who'], calls),
      lab,
      true,
      () => n++ > 1,
      async () => {},
    );
    assert.equal(calls.length, 1);
  });

  it('gives the culprit, the rules and what really happens in JSON', () => {
    const j = runJson(lab, [{ state: 'CLOSE_WAIT', owner: 'node[42]', count: 2 }], [], { removed: true });
    assert.deepEqual(j['culprit'], { role: 'holder', pid: 42, port: 8080 });
    assert.deepEqual(j['rules'], ['close-wait-leak']);
    assert.deepEqual(j['states'], { CLOSE_WAIT: 2 });
    assert.equal(j['removed'], true);
    assert.ok(Array.isArray(j['reality']) && typeof j['folklore'] === 'string');
  });
});
