/**
 * The doctor against the kernel: states held by the lab holder in a private namespace, diagnosed
 * through the CLI from outside (`--netns`), must give the right rule, owner and port; a quiet
 * namespace must give no warning.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyScenario, type Scenario } from '../../src/lab/apply.js';
import { createNetns, type Netns } from '../../src/lab/netns.js';
import type { HoldItem } from '../../src/lab/scenario.js';
import { tcpscope } from '../helpers/cli.js';

interface DoctorJson {
  skipped: { rule: string; reason: string }[];
  findings: {
    rule: string;
    severity: string;
    title: string;
    evidence: { processes?: { pid: number }[]; ports?: { port: number }[]; pattern?: string };
    why: string;
    remedies: string[];
    commands: string[];
  }[];
}

function doctor(ns: Netns, ...args: string[]): { status: number | null; json: DoctorJson; stderr: string } {
  const r = tcpscope(['doctor', '--netns', ns.name, '--json', ...args]);
  return {
    status: r.status,
    json: JSON.parse(r.stdout || '{"findings":[],"skipped":[]}') as DoctorJson,
    stderr: r.stderr,
  };
}

describe('doctor on real states', { timeout: 90_000 }, () => {
  let ns: Netns;
  const scenarios: Scenario[] = [];
  const hold = async (items: HoldItem[]) => {
    const s = await applyScenario(ns, { items });
    scenarios.push(s);
    return s;
  };

  before(async () => {
    ns = await createNetns('tcps-doc');
  });
  after(async () => {
    for (const s of scenarios) await s.stop();
    await ns?.dispose();
  });

  it('finds nothing to warn about on a quiet namespace', async () => {
    await hold([
      { kind: 'listen', family: 4, port: 31000 },
      { kind: 'established', family: 4, port: 31001 },
      { kind: 'established', family: 6, port: 31002 },
    ]);
    const r = doctor(ns, '--window', '1', '--fail-on', 'warning');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.json.findings.filter((f) => f.severity !== 'info').map((f) => f.title),
      [],
    );
    assert.ok(r.json.findings.some((f) => f.rule === 'listen-audit' && f.severity === 'info'));
  });

  it('names the process holding CLOSE_WAIT, and its port', async () => {
    const items = Array.from(
      { length: 6 },
      (_, i): HoldItem => ({ kind: 'close-wait', family: 4, port: 32000 + i }),
    );
    const s = await hold(items);
    const now = doctor(ns, '--now');
    assert.ok(
      now.json.skipped.some((x) => x.rule === 'close-wait-leak'),
      'one snapshot cannot tell a leak from a moment',
    );
    const r = doctor(ns, '--window', '1', '--fail-on', 'warning');
    assert.equal(r.status, 1, 'a warning reaches --fail-on warning');
    const f = r.json.findings.find((x) => x.rule === 'close-wait-leak');
    assert.ok(f, JSON.stringify(r.json.findings.map((x) => x.rule)));
    assert.equal(f.severity, 'warning');
    assert.deepEqual(
      f.evidence.processes?.map((p) => p.pid),
      [s.report.pid],
    );
    assert.ok(f.evidence.ports?.every((p) => p.port >= 32000 && p.port < 32006));
    assert.ok(f.why.length > 40 && f.remedies.length > 0 && f.commands.length > 0);
    assert.equal(doctor(ns, '--window', '1').status, 0, '--fail-on critical by default');
  });

  it('tells a scan apart in SYN_SENT and names the scanner', async () => {
    const items = Array.from(
      { length: 12 },
      (_, i): HoldItem => ({ kind: 'syn-sent', family: 4, port: 33000 + i }),
    );
    const s = await hold(items);
    const r = doctor(ns, '--window', '1', '--set', 'syn-sent-storm.warning=10');
    const f = r.json.findings.find((x) => x.rule === 'syn-sent-storm');
    assert.ok(f, JSON.stringify(r.json.findings.map((x) => x.rule)));
    assert.equal(f.evidence.pattern, 'scan');
    assert.equal(f.severity, 'critical');
    assert.deepEqual(
      f.evidence.processes?.map((p) => p.pid),
      [s.report.pid],
    );
    assert.equal(r.status, 1);
  });

  it('writes the report in Chinese', () => {
    const r = tcpscope(['doctor', '--netns', ns.name, '--window', '1', '--lang', 'zh']);
    assert.match(r.stdout, /项发现/);
    assert.match(r.stdout, /持有的 \d+ 个 CLOSE_WAIT 持续/);
    assert.match(r.stdout, /原因: .*[\u4e00-\u9fff]/);
  });

  it('saves a baseline and flags a listener it lacks', async () => {
    const file = `/tmp/tcps-baseline-${process.pid}.json`;
    const save = tcpscope(['doctor', '--netns', ns.name, '--now', '--save-baseline', file]);
    assert.equal(save.status, 0, save.stderr);
    await hold([{ kind: 'listen', family: 6, port: 34000 }]);
    const r = doctor(ns, '--now', '--baseline', file);
    const f = r.json.findings.filter((x) => x.rule === 'listen-audit' && x.severity === 'warning');
    assert.deepEqual(
      f.map((x) => x.evidence.ports?.[0]?.port),
      [34000],
    );
    assert.match(f[0]!.title, /unexpected listener/);
  });

  it('answers bad flags with one line and exit 2', () => {
    for (const args of [
      ['--now', '--fail-on', 'sometimes'],
      ['--window', '-1'],
      ['--now', '--set', 'nope=1'],
      ['--now', '--baseline', '/nonexistent'],
      ['--now', '--lang', 'fr'],
    ]) {
      const r = tcpscope(['doctor', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
    }
  });
});
