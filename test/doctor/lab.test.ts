/**
 * Every lab scenario, diagnosed: the doctor run on the scenario's namespace must report the rules
 * the scenario is for, at warning or worse, naming the culprit's port and (where a process holds
 * the sockets) its pid. A quiet namespace is covered by doctor.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAB_SCENARIOS } from '../../src/lab/catalog.js';
import { startLabScenario } from '../../src/lab/start.js';
import { tcpscope } from '../helpers/cli.js';

interface Finding {
  rule: string;
  severity: string;
  title: string;
  evidence: { processes?: { pid: number }[]; ports?: { port: number }[] };
}

/** Rules the lab cannot make fire with the default thresholds: what they need, given with --set. */
const SETTINGS: Record<string, string[]> = {
  // The lab's connections are seconds old, not hours: ask for seconds of idleness.
  'half-open': ['half-open.idleSeconds=1', 'half-open.warning=1'],
};

/** The least severity each scenario's findings must have: warning, but for what is normal. */
const LEAST: Record<string, string[]> = {
  listen: ['info', 'warning', 'critical'], // a listener is listed, not blamed
  'restart-eaddrinuse': ['info', 'warning', 'critical'], // TIME_WAIT after a restart is normal, only explained
  // Peers gone without a FIN, on idle connections: nothing on this side can tell them from a quiet pool.
  'half-open': ['info', 'warning', 'critical'],
};

describe('doctor on every lab scenario', { timeout: 240_000 }, () => {
  for (const scenario of LAB_SCENARIOS.filter((s) => s.rules.length > 0)) {
    it(`${scenario.id}: ${scenario.rules.join(', ')}`, async () => {
      const lab = await startLabScenario(scenario.id);
      try {
        if (scenario.rules.includes('half-open')) await new Promise((r) => setTimeout(r, 1500));
        const sets = scenario.rules.flatMap((r) => SETTINGS[r] ?? []).flatMap((s) => ['--set', s]);
        const r = tcpscope(['doctor', '--netns', lab.netns, '--window', '2', '--json', ...sets]);
        assert.ok(r.status === 0 || r.status === 1, r.stderr);
        const out = JSON.parse(r.stdout) as { findings: Finding[]; skipped: { rule: string }[] };
        for (const rule of scenario.rules) {
          // A rule the scenario is for must run: a skip would let the test pass without it.
          const skip = out.skipped.find((s) => s.rule === rule);
          assert.equal(skip, undefined, `${rule} was skipped: ${JSON.stringify(skip)}`);
          const allowed = LEAST[scenario.id] ?? ['warning', 'critical'];
          const found = out.findings.filter((f) => f.rule === rule && allowed.includes(f.severity));
          assert.ok(
            found.length > 0,
            `${rule} not found in ${JSON.stringify(out.findings.map((f) => `${f.rule}:${f.severity}`))}`,
          );
          const named = found.find((f) => f.evidence.ports?.some((p) => lab.ports.includes(p.port)) ?? false);
          assert.ok(
            named,
            `${rule}: no finding names one of ports ${lab.ports.join(',')}: ${JSON.stringify(found.map((f) => f.evidence.ports))}`,
          );
          if (!scenario.unowned?.includes(rule)) {
            assert.ok(
              found.some((f) => f.evidence.processes?.some((p) => p.pid === lab.culprit.pid)),
              `${rule}: culprit pid ${lab.culprit.pid} not named: ${JSON.stringify(found.map((f) => f.evidence.processes))}`,
            );
          }
        }
      } finally {
        await lab.stop();
      }
    });
  }
});
