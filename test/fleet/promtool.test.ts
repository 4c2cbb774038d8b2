/**
 * The alert rules under promtool: they load, every rule fires on its evidence and stays quiet
 * beside it (tcpscope.rules.test.yml), none fires on the series recorded from a busy healthy host
 * (healthy-series.yml), the tests can fail (a rule made blind fails them), and the runbooks the
 * rules link to are the knowledge base's current text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULES = join(ROOT, 'deploy/prometheus/tcpscope.rules.yml');
const TESTS = join(ROOT, 'deploy/prometheus/tests/tcpscope.rules.test.yml');
const HEALTHY = join(ROOT, 'deploy/prometheus/tests/healthy-series.yml');

function promtool(args: string[], cwd = ROOT): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const alertNames = (): string[] =>
  [...readFileSync(RULES, 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]!);

describe('alert rules', { timeout: 300_000 }, () => {
  it('load', () => {
    const r = promtool(['check', 'rules', RULES]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`SUCCESS: ${alertNames().length} rules found`));
  });

  it('fire on their evidence and stay quiet beside it', () => {
    const r = promtool(['test', 'rules', TESTS]);
    assert.equal(r.status, 0, r.out);
  });

  it('each have a case where they fire', () => {
    const tests = readFileSync(TESTS, 'utf8');
    for (const name of alertNames()) {
      const firing = new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\n\\s+- exp_labels`);
      assert.match(tests, firing, `${name} has no firing case`);
    }
  });

  it('stay quiet on a busy healthy host, every one of them', () => {
    const healthy = readFileSync(HEALTHY, 'utf8');
    for (const name of alertNames())
      assert.match(healthy, new RegExp(`alertname: ${name}\\n`), `${name} not checked`);
    const r = promtool(['test', 'rules', HEALTHY]);
    assert.equal(r.status, 0, r.out);
  });

  it('are tested by tests that can fail: a blinded rule fails them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-rules-'));
    try {
      writeFileSync(
        join(dir, 'tcpscope.rules.yml'),
        readFileSync(RULES, 'utf8').replace(
          'tcpscope_close_wait_stayed) >= 5',
          'tcpscope_close_wait_stayed) >= 5000',
        ),
      );
      mkdirSync(join(dir, 'tests'));
      writeFileSync(join(dir, 'tests', 'tcpscope.rules.test.yml'), readFileSync(TESTS, 'utf8'));
      const r = promtool(['test', 'rules', join(dir, 'tests', 'tcpscope.rules.test.yml')]);
      assert.notEqual(r.status, 0, 'promtool passed with a blinded CLOSE_WAIT rule');
      assert.match(r.out, /TcpscopeCloseWaitLeak/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('link to runbooks that are the knowledge base as it is', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/write-runbooks.mjs'), '--check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${r.stderr} (run node scripts/write-runbooks.mjs)`);
  });
});
