/**
 * A small fleet for real: three lab scenarios in namespaces of their own (a CLOSE_WAIT leak, a SYN
 * flood, a scan), an agent reading each, and Debian's Prometheus scraping the three every second
 * with the alert rules loaded, all on the loopback of one monitoring namespace. Through Prometheus's
 * HTTP API: each instance's per-state series equal ss's counts in its namespace, each scenario's
 * alert is pending or firing on its own instance only, and every query of the Grafana dashboard
 * returns data. `tcpscope serve` reading the first scenario's namespace is scraped as a job of its own:
 * its series equal ss's counts there too.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LabRun, startLabScenario } from '../../src/lab/start.js';
import { fetchIn, type RunningAgent, startAgent, startServer } from '../helpers/agent.js';
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
/** Where `serve` listens, reading the first scenario's namespace. */
const SERVE_PORT = 9469;

describe('a real Prometheus scraping tcpscope agents', { timeout: 300_000 }, () => {
  let mon: TestNetns;
  const labs: LabRun[] = [];
  const agents: RunningAgent[] = [];
  let serve: RunningAgent | undefined;
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
    serve = await startServer(mon, 'serve', [
      ...['--netns', labs[0]!.netns, '-n', '1', '--listen', `127.0.0.1:${SERVE_PORT}`, '--no-trace'],
    ]);
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
        '  - job_name: tcpscope-serve',
        `    static_configs: [{ targets: ['127.0.0.1:${SERVE_PORT}'] }]`,
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
        const r = await query('count_over_time(up[1m]) >= 2');
        return r.length === SCENARIOS.length + 1;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
  });

  after(async () => {
    prometheus?.kill('SIGTERM');
    await serve?.stop('SIGKILL');
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

  it("has serve's per-state series equal to ss's counts in the namespace it reads", async () => {
    await waitFor(
      'Prometheus (scraping serve) and ss agree',
      async () => {
        const seen: Record<string, number> = {};
        for (const v of await query('node_tcp_connection_states{job="tcpscope-serve"} > 0'))
          seen[v.metric.state!] = Number(v.value[1]);
        const want = ssCounts(labs[0]!.netns);
        return JSON.stringify(Object.entries(seen).sort()) === JSON.stringify(Object.entries(want).sort());
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    const up = await query(`up{instance="127.0.0.1:${SERVE_PORT}"}`);
    assert.equal(up[0]?.value[1], '1');
    // The families the alert rules judge on are served whole, as the agent serves them.
    for (const family of [
      'tcpscope_ephemeral_ports',
      'tcpscope_listen_backlog',
      'tcpscope_sample_duration_seconds',
    ])
      assert.equal((await query(`${family}{job="tcpscope-serve"}`)).length > 0, true, family);
  });

  it("raises each scenario's alert on its own instance, pending or firing", async () => {
    for (const s of SCENARIOS) {
      const alerts = await waitFor(
        `${s.alert} on 127.0.0.1:${s.port}`,
        async () => {
          // serve reads the first scenario's namespace: its alerts are that scenario's too.
          const r = (await query(`ALERTS{alertname="${s.alert}"}`)).filter(
            (a) => a.metric.instance !== `127.0.0.1:${SERVE_PORT}`,
          );
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
    const leak = await query(
      `ALERTS{alertname="TcpscopeCloseWaitLeak",instance="127.0.0.1:${SCENARIOS[0].port}"}`,
    );
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
