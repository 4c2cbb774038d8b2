/**
 * `tcpscope agent` against the real kernel: a lab scenario (a CLOSE_WAIT leak) in one namespace, the
 * agent in another reading it with --netns, scraped over that namespace's loopback. Its per-state
 * counts equal ss's, the leak shows as sockets that stayed and as the doctor's finding, the output
 * passes promtool, and it stops cleanly leaving no tracefs instance. A token guards any other
 * address. Under the systemd unit's two capabilities it still names owners and traces connects.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LabRun } from '../../src/lab/start.js';
import { startLabScenario } from '../../src/lab/start.js';
import {
  abuseIn,
  assertHeldOff,
  fetchIn,
  parseExposition,
  type RunningAgent,
  samplesOf,
  startAgent,
} from '../helpers/agent.js';
import { tcpscope } from '../helpers/cli.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { runSs, ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

/** ss's per-state counts under node_exporter's names. */
function ssCounts(netns: string): Record<string, number> {
  return Object.fromEntries(Object.entries(ssStateCounts(netns)).map(([k, v]) => [k.toLowerCase(), v]));
}

function agentCounts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of samplesOf(parseExposition(text), 'node_tcp_connection_states'))
    out[/state="(\w+)"/.exec(k)![1]!] = v;
  return out;
}

const tracefsInstances = (): string[] => {
  const dir = '/sys/kernel/tracing/instances';
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('tcpscope-')) : [];
};

describe('tcpscope agent', { timeout: 180_000 }, () => {
  let lab: LabRun;
  let mon: TestNetns;
  let agent: RunningAgent;
  before(async () => {
    lab = await startLabScenario('close-wait-leak', { count: 8 });
    mon = makeNetns('mon');
    agent = await startAgent(mon, ['--netns', lab.netns, '--interval', '1', '--listen', '127.0.0.1:9466']);
  });
  after(async () => {
    await agent?.stop('SIGKILL');
    await lab?.stop();
    mon?.delete();
  });

  it("reports per-state counts equal to ss's", async () => {
    // The table may move between the scrape and ss (the clients' FIN_WAIT2 expire): agree twice in a row.
    await waitFor(
      'the agent and ss agree',
      async () => {
        await waitFor('a new reading', async () => {
          const h = JSON.parse((await fetchIn(mon, 'http://127.0.0.1:9466/healthz')).body) as {
            ageSeconds?: number;
          };
          return h.ageSeconds !== undefined && h.ageSeconds < 0.3;
        });
        const before = ssCounts(lab.netns);
        const scraped = agentCounts((await fetchIn(mon, 'http://127.0.0.1:9466/metrics')).body);
        const after = ssCounts(lab.netns);
        return (
          JSON.stringify(before) === JSON.stringify(after) &&
          JSON.stringify(scraped) === JSON.stringify(before)
        );
      },
      { timeoutMs: 30_000, everyMs: 300 },
    );
    assert.equal(agentCounts((await fetchIn(mon, 'http://127.0.0.1:9466/metrics')).body).close_wait, 8);
  });

  it('shows the leak as CLOSE_WAIT that stayed, named by port and process, and as the finding', async () => {
    const port = `port="${lab.culprit.port}"`;
    const series = await waitFor(
      'the leak in two readings',
      async () => {
        const s = parseExposition((await fetchIn(mon, 'http://127.0.0.1:9466/metrics')).body);
        const stayed = samplesOf(s, 'tcpscope_close_wait_stayed', port);
        return stayed.length > 0 &&
          stayed[0]![1] === 8 &&
          samplesOf(s, 'tcpscope_finding', 'close-wait-leak').length > 0
          ? s
          : undefined;
      },
      { timeoutMs: 20_000, everyMs: 300 },
    );
    const [[key]] = samplesOf(series, 'tcpscope_close_wait_stayed', port) as [[string, number]];
    const holder = lab.processes.find((p) => p.pid === lab.culprit.pid);
    assert.ok(holder);
    assert.match(key, /process="[^"-][^"]*"/, `a process is named: ${key}`);
    const finding = samplesOf(series, 'tcpscope_finding', 'rule="close-wait-leak"', port);
    assert.equal(finding.length, 1, JSON.stringify(samplesOf(series, 'tcpscope_finding')));
    assert.match(finding[0]![0], /severity="(warning|critical)"/);
    // The listener and its queue, as ss shows them.
    const listen = samplesOf(series, 'tcpscope_listen_backlog', port);
    assert.equal(listen.length, 1);
    const ssListen = runSs('-l', lab.netns).find((s) => s.local.port === lab.culprit.port);
    assert.equal(listen[0]![1], ssListen?.sendQ);
  });

  it('writes what promtool accepts', async () => {
    const text = (await fetchIn(mon, 'http://127.0.0.1:9466/metrics')).body;
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // node_exporter's own names are camelCase: promtool's style lint says so, and only that.
    const problems = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter(
        (l) => l.trim() !== '' && !/^node_netstat_\w+ metric names should be written in 'snake_case'/.test(l),
      );
    assert.deepEqual(problems, []);
  });

  it('reads through one sock_diag socket kept open in the namespace it reads', async () => {
    const [pid] = execFileSync('ip', ['netns', 'pids', mon.name], { encoding: 'utf8' }).trim().split('\n');
    /** The inodes of the agent's sock_diag sockets (netlink protocol 4) in the lab's namespace. */
    const diagSockets = (): string[] => {
      const inLab = execFileSync('ip', ['netns', 'exec', lab.netns, 'cat', '/proc/net/netlink'], {
        encoding: 'utf8',
      })
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1] === '4')
        .map((f) => f[9]!);
      const mine = new Set<string>();
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m) mine.add(m[1]!);
        } catch {}
      }
      return inLab.filter((i) => mine.has(i));
    };
    const samples = async (): Promise<number> =>
      (JSON.parse((await fetchIn(mon, 'http://127.0.0.1:9466/healthz')).body) as { samples: number }).samples;
    const first = diagSockets();
    assert.equal(first.length, 1, 'one sock_diag socket open between readings');
    const at = await samples();
    await waitFor('three more readings', async () => (await samples()) >= at + 3, { timeoutMs: 15_000 });
    assert.deepEqual(diagSockets(), first, 'the same socket');
  });

  it('serves health, the runbooks, and nothing else', async () => {
    const h = await fetchIn(mon, 'http://127.0.0.1:9466/healthz');
    assert.equal(h.status, 200);
    assert.ok((JSON.parse(h.body) as { samples: number }).samples >= 1);
    const rb = await fetchIn(mon, 'http://127.0.0.1:9466/explain/close-wait-leak');
    assert.equal(rb.status, 200);
    assert.match(rb.body, /close\(\)/);
    assert.equal((await fetchIn(mon, 'http://127.0.0.1:9466/explain/nonsense')).status, 404);
    assert.equal((await fetchIn(mon, 'http://127.0.0.1:9466/explain/%E0%A4%A')).status, 400);
    assert.equal(
      (await fetchIn(mon, 'http://127.0.0.1:9466/healthz')).status,
      200,
      'alive after a bad escape',
    );
    assert.equal((await fetchIn(mon, 'http://127.0.0.1:9466/../etc/passwd')).status, 404);
  });

  it('holds off slow, oversized and malformed clients and goes on serving', async () => {
    const r = await abuseIn(mon, 9466, '/metrics');
    assertHeldOff(r);
    assert.equal((await fetchIn(mon, 'http://127.0.0.1:9466/healthz')).status, 200, 'still serving');
  });

  it('stops on SIGTERM with status 0 and leaves no tracefs instance', async () => {
    const pid = agent.child.pid;
    const code = await agent.stop('SIGTERM');
    assert.equal(code, 0, agent.stderr());
    // ip netns exec runs the agent as its own child: the agent's own pid names its instances.
    const left = tracefsInstances().filter((n) => !/^tcpscope-\d+-/.test(n) || n.includes(`-${pid}-`));
    assert.deepEqual(left, []);
    const out = execFileSync('ip', ['netns', 'pids', mon.name], { encoding: 'utf8' }).trim();
    assert.equal(out, '', 'no process left in the namespace');
  });
});

describe('tcpscope agent off loopback', { timeout: 60_000 }, () => {
  it('refuses a non-loopback address without a token, in one line', () => {
    const r = tcpscope(['agent', '--listen', '0.0.0.0:9466']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not loopback: give --token/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('answers 401 without the token and 200 with it', async () => {
    const ns = makeNetns('tok');
    const token = 'abcdefghijklmnop0123';
    const a = await startAgent(ns, [
      '--listen',
      '0.0.0.0:9467',
      '--token',
      token,
      '--interval',
      '1',
      '--no-trace',
    ]);
    try {
      await waitFor(
        'a reading',
        async () =>
          (await fetchIn(ns, 'http://127.0.0.1:9467/healthz', { Authorization: `Bearer ${token}` }))
            .status === 200,
      );
      assert.equal((await fetchIn(ns, 'http://127.0.0.1:9467/metrics')).status, 401);
      assert.equal(
        (await fetchIn(ns, 'http://127.0.0.1:9467/metrics', { Authorization: 'Bearer wrong-token-wrong!!' }))
          .status,
        401,
      );
      // The first reading may come before the agent's own listener is bound: a later one shows it.
      const ok = await waitFor('a reading with the agent’s own listener', async () => {
        const r = await fetchIn(ns, 'http://127.0.0.1:9467/metrics', { Authorization: `Bearer ${token}` });
        assert.equal(r.status, 200);
        return /^node_tcp_connection_states\{state="listen"\} 1$/m.test(r.body) ? r : undefined;
      });
      assert.match(ok.body, /^node_tcp_connection_states\{state="listen"\} 1$/m);
    } finally {
      await a.stop();
      ns.delete();
    }
  });

  it('refuses a short token', () => {
    const r = tcpscope(['agent', '--token', 'short']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /at least 16 characters/);
  });
});

describe("tcpscope agent under the systemd unit's capabilities", { timeout: 60_000 }, () => {
  it('names the owners of sockets and traces failed connects with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only', async () => {
    const ns = makeNetns('caps');
    // A listener held by another user, and connects refused by a closed port.
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns.name,
        'setpriv',
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        '--',
        process.execPath,
        '-e',
        'require("net").createServer().listen(7000,"127.0.0.1");setTimeout(()=>{},60000)',
      ],
      { stdio: 'ignore' },
    );
    // tracefs mounted as on a booted host (systemd's sys-kernel-tracing.mount; `ip netns exec` gives a
    // fresh /sys), then every capability dropped but the unit's two.
    const caps = [
      'sh',
      '-c',
      'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" "$@"',
      'setpriv',
      '--bounding-set=-all,+sys_ptrace,+dac_read_search',
      '--inh-caps=-all,+sys_ptrace,+dac_read_search',
      '--ambient-caps=-all,+sys_ptrace,+dac_read_search',
      '--',
    ];
    let a: RunningAgent | undefined;
    let last = '';
    let attempts = 0;
    try {
      await waitFor('the listener', () => runSs('-l', ns.name).some((s) => s.local.port === 7000));
      a = await startAgent(ns, ['--listen', '127.0.0.1:9468', '--interval', '1'], caps);
      // Refused connects, again until a trace has seen them: the agent restarts its trace at every
      // reading, and connects in the moment between go unseen.
      const refuse = () =>
        ns.node(
          `import net from "node:net";
           for (let i = 0; i < 3; i++) await new Promise((r) => net.connect(7001, "127.0.0.1").on("error", r));
           // Alive a moment longer: the agent names a connecting thread from /proc while it lives.
           await new Promise((r) => setTimeout(r, 3000));`,
        );
      const s = await waitFor(
        'the owner and the refused connects',
        async () => {
          await refuse();
          attempts++;
          const body = (await fetchIn(ns, 'http://127.0.0.1:9468/metrics')).body;
          last = body;
          const series = parseExposition(body);
          const seen = samplesOf(series, 'tcpscope_connect_failures_total', 'ECONNREFUSED')[0]?.[1] ?? 0;
          return seen >= 3 ? series : undefined;
        },
        { timeoutMs: 40_000, everyMs: 300 },
      ).catch((e) => {
        throw new Error(
          `${(e as Error).message}\n${a?.stderr()}\n${last
            .split('\n')
            .filter((l) => /^tcpscope_(connect|tracefs|listener)/.test(l))
            .join('\n')}`,
        );
      });
      assert.equal(samplesOf(s, 'tcpscope_tracefs_available')[0]?.[1], 1);
      assert.ok(
        samplesOf(s, 'tcpscope_listener_info', 'port="7000"', 'process="node"').length === 1,
        JSON.stringify(samplesOf(s, 'tcpscope_listener_info')),
      );
      const refused = samplesOf(
        s,
        'tcpscope_connect_failures_total',
        'destination="127.0.0.1:7001"',
        'error="ECONNREFUSED"',
      );
      // Every connect a trace saw is counted: at least one round of three, no more than were made.
      assert.ok(
        refused[0]![1] >= 3 && refused[0]![1] <= 3 * attempts,
        `${refused[0]![1]} of ${3 * attempts}`,
      );
    } finally {
      await a?.stop();
      child.kill('SIGKILL');
      ns.delete();
    }
  });
});
