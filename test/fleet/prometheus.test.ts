/**
 * A small fleet for real: three lab scenarios in namespaces of their own (a CLOSE_WAIT leak, a SYN
 * flood, a scan), an agent reading each, and Debian's Prometheus scraping the three every second
 * with the alert rules loaded, all on the loopback of one monitoring namespace. Through Prometheus's
 * HTTP API: each instance's per-state series equal ss's counts in its namespace, each scenario's
 * alert is pending or firing on its own instance only, and every query of the Grafana dashboard
 * returns data.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LabRun, startLabScenario } from '../../src/lab/start.js';
import { fetchIn, type RunningAgent, startAgent } from '../helpers/agent.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}

/** ss's non-zero per-state counts, under node_exporter's names. */
function ssCounts(netns: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(ssStateCounts(netns))
      .filter(([, v]) => v > 0)
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
}

const SCENARIOS = [
  { id: 'close-wait-leak', port: 9466, alert: 'TcpscopeCloseWaitLeak', count: 8 },
  { id: 'syn-flood', port: 9467, alert: 'TcpscopeSynFlood', count: undefined },
  { id: 'scan', port: 9468, alert: 'TcpscopeSynSentStorm', count: 40 },
] as const;

describe('a real Prometheus scraping tcpscope agents', { timeout: 300_000 }, () => {
  let mon: TestNetns;
  const labs: LabRun[] = [];
  const agents: RunningAgent[] = [];
  let prometheus: ChildProcess | undefined;
  let dir: string;

  const query = async (q: string): Promise<PromVector[]> => {
    const r = await fetchIn(mon, `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = JSON.parse(r.body) as { status: string; data?: { result: PromVector[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
    return body.data!.result;
  };

  before(async () => {
    mon = makeNetns('prom');
    for (const s of SCENARIOS) {
      const lab = await startLabScenario(s.id, s.count !== undefined ? { count: s.count } : {});
      labs.push(lab);
      agents.push(
        await startAgent(mon, ['--netns', lab.netns, '--interval', '1', '--listen', `127.0.0.1:${s.port}`]),
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'tcpscope-prom-'));
    copyFileSync(join(ROOT, 'deploy/prometheus/tcpscope.rules.yml'), join(dir, 'rules.yml'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: tcpscope',
        `    static_configs: [{ targets: [${SCENARIOS.map((s) => `'127.0.0.1:${s.port}'`).join(', ')}] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'ip',
      [
        'netns',
        'exec',
        mon.name,
        'prometheus',
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--web.listen-address=127.0.0.1:9090',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      'Prometheus ready',
      async () => (await fetchIn(mon, 'http://127.0.0.1:9090/-/ready')).status === 200,
      {
        timeoutMs: 30_000,
        everyMs: 200,
      },
    );
    // Two scrapes of every target.
    await waitFor(
      'two scrapes of each agent',
      async () => {
        const r = await query('count_over_time(up{job="tcpscope"}[1m]) >= 2');
        return r.length === SCENARIOS.length;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
  });

  after(async () => {
    prometheus?.kill('SIGTERM');
    for (const a of agents) await a.stop('SIGKILL');
    for (const l of labs) await l.stop();
    mon?.delete();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has each instance's per-state series equal to ss's counts in its namespace", async () => {
    for (const [i, s] of SCENARIOS.entries()) {
      const instance = `127.0.0.1:${s.port}`;
      // States move (handshakes retried, FIN_WAIT2 expiring): wait until Prometheus and ss agree.
      await waitFor(
        `${s.id}: Prometheus and ss agree`,
        async () => {
          const seen: Record<string, number> = {};
          for (const v of await query(`node_tcp_connection_states{instance="${instance}"} > 0`))
            seen[v.metric.state!] = Number(v.value[1]);
          const want = ssCounts(labs[i]!.netns);
          return JSON.stringify(Object.entries(seen).sort()) === JSON.stringify(Object.entries(want).sort());
        },
        { timeoutMs: 30_000, everyMs: 500 },
      );
    }
  });

  it("raises each scenario's alert on its own instance, pending or firing", async () => {
    for (const s of SCENARIOS) {
      const alerts = await waitFor(
        `${s.alert} on 127.0.0.1:${s.port}`,
        async () => {
          const r = await query(`ALERTS{alertname="${s.alert}"}`);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 45_000, everyMs: 500 },
      );
      assert.deepEqual(
        [...new Set(alerts.map((a) => a.metric.instance))],
        [`127.0.0.1:${s.port}`],
        `${s.alert} only where it happens`,
      );
      assert.match(alerts[0]!.metric.alertstate!, /^(pending|firing)$/);
    }
    const culprit = labs[0]!.culprit.port;
    const leak = await query('ALERTS{alertname="TcpscopeCloseWaitLeak"}');
    assert.equal(leak[0]!.metric.port, String(culprit));
  });

  it('answers every query of the Grafana dashboard with data', async () => {
    const dash = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/tcpscope.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    let queries = 0;
    for (const p of dash.panels)
      for (const t of p.targets) {
        const q = t.expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '30s');
        const r = await waitFor(
          `data for "${p.title}": ${q}`,
          async () => {
            const v = await query(q);
            return v.length > 0 ? v : undefined;
          },
          { timeoutMs: 20_000, everyMs: 500 },
        );
        assert.ok(r.length > 0);
        queries++;
      }
    assert.ok(queries >= 20, `${queries} queries`);
  });
});
