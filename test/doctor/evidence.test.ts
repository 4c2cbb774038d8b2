/**
 * The doctor against real traffic in namespaces (root): quiet on a busy healthy namespace but for
 * its one sick listener; a refused storm and a client out of ephemeral ports named by process and
 * destination (tracefs); owners hidden from an unprivileged user said so.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyScenario, type Scenario } from '../../src/lab/apply.js';
import { createNetns, type Netns } from '../../src/lab/netns.js';
import { tcpscope } from '../helpers/cli.js';

const LOAD = fileURLToPath(new URL('./_load.js', import.meta.url));

interface Finding {
  rule: string;
  severity: string;
  title: string;
  evidence: Record<string, unknown> & {
    processes?: { pid: number; command: string }[];
    ports?: { port: number }[];
  };
}
interface Report {
  findings: Finding[];
  skipped: { rule: string; reason: string }[];
  unseen?: { processes: number };
  snapshots?: number;
}

function doctor(ns: Netns, args: string[], user?: string): Report {
  const r = tcpscope(
    ['doctor', '--json', '--fail-on', 'never', ...args],
    user ? { netns: ns.name, user } : {},
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** Starts the load program in the namespace; resolves with its first line once the load runs. */
async function load(
  ns: Netns,
  argv: string[],
): Promise<{ pid: number; child: ChildProcess; facts: Record<string, number> }> {
  const child = ns.spawn([process.execPath, LOAD, ...argv]);
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`load ${argv[0]}: not ready after 20 s`)), 20_000);
    child.on('exit', (code) => reject(new Error(`load ${argv[0]} exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
  });
  const facts = JSON.parse(line) as Record<string, number> & { pid: number };
  return { pid: facts.pid, child, facts };
}

const loud = (r: Report) => r.findings.filter((f) => f.severity !== 'info');
const names = (f: Finding, port: number) =>
  (f.evidence.ports ?? []).some((p) => p.port === port) || f.title.includes(`:${port}`);

describe('doctor on real traffic', { timeout: 180_000 }, () => {
  const spaces: Netns[] = [];
  const scenarios: Scenario[] = [];
  const fresh = async (prefix: string) => {
    const ns = await createNetns(prefix);
    spaces.push(ns);
    return ns;
  };
  after(async () => {
    for (const s of scenarios) await s.stop();
    for (const ns of spaces) await ns.dispose();
  });

  it('a busy healthy namespace with one sick listener: every warning is about the sick one', async () => {
    const ns = await fresh('tcps-busy');
    const sick = await applyScenario(ns, {
      items: [{ kind: 'accept-queue', family: 4, port: 6379, backlog: 4, count: 8 }],
    });
    scenarios.push(sick);
    const busy = await load(ns, ['busy']);
    await new Promise((r) => setTimeout(r, 2500)); // TIME_WAIT and the pool build up
    const r = doctor(ns, ['--netns', ns.name, '--window', '3']);
    // The load was real: hundreds of connections went through while the doctor watched.
    const counts = JSON.parse(tcpscope(['count', '--netns', ns.name, '--json']).stdout) as {
      states: Record<string, number>;
    };
    busy.child.kill();
    assert.ok((counts.states['TIME_WAIT'] ?? 0) >= 500, JSON.stringify(counts.states));
    assert.ok((counts.states['ESTABLISHED'] ?? 0) >= 120, JSON.stringify(counts.states));
    assert.equal(r.snapshots, 4);
    const bad = loud(r).filter((f) => !names(f, 6379));
    assert.deepEqual(
      bad.map((f) => `${f.rule}: ${f.title}`),
      [],
    );
    const named = loud(r).find((f) => f.rule === 'accept-queue');
    assert.ok(named && names(named, 6379), JSON.stringify(loud(r).map((f) => f.title)));
    assert.deepEqual(
      named.evidence.processes?.map((p) => p.pid),
      [sick.report.pid],
    );
  });

  it('a refused storm: connect-failures names the process and the destination port', async () => {
    const ns = await fresh('tcps-refuse');
    const storm = await load(ns, ['refuse', '9']);
    const r = doctor(ns, ['--netns', ns.name, '--window', '2']);
    storm.child.kill();
    const f = r.findings.find((x) => x.rule === 'connect-failures');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.title)));
    assert.notEqual(f.severity, 'info');
    assert.deepEqual(
      f.evidence.processes?.map((p) => p.pid),
      [storm.pid],
    );
    assert.deepEqual(
      f.evidence.ports?.map((p) => p.port),
      [9],
    );
    assert.match(f.title, /ECONNREFUSED/);
  });

  it('a client out of ephemeral ports: port-exhaustion names EADDRNOTAVAIL, the destination and the client', async () => {
    const ns = await fresh('tcps-ports');
    await ns.sysctl({ 'net.ipv4.ip_local_port_range': '45000 45039' });
    const client = await load(ns, ['exhaust', '7000', '40']);
    assert.equal(client.facts['held'], 40, 'every port of the range is held');
    const r = doctor(ns, ['--netns', ns.name, '--window', '2']);
    client.child.kill();
    const f = r.findings.filter((x) => x.rule === 'port-exhaustion');
    assert.equal(f.length, 1, JSON.stringify(r.findings.map((x) => x.title)));
    assert.match(f[0]!.title, /EADDRNOTAVAIL/);
    assert.match(f[0]!.title, /127\.0\.0\.1:7000/);
    assert.deepEqual(
      f[0]!.evidence.processes?.map((p) => p.pid),
      [client.pid],
    );
    assert.equal(f[0]!.evidence['error'], 'EADDRNOTAVAIL');
    assert.ok(!r.findings.some((x) => x.rule === 'time-wait-pressure' && x.severity !== 'info'));
  });

  it('as nobody, a root server with CLOSE_WAIT: the report says owners are hidden', async () => {
    const ns = await fresh('tcps-nobody');
    const held = await applyScenario(ns, {
      items: Array.from({ length: 6 }, (_, i) => ({
        kind: 'close-wait' as const,
        family: 4 as const,
        port: 32100 + i,
      })),
    });
    scenarios.push(held);
    const r = doctor(ns, ['--window', '1'], 'nobody');
    assert.ok((r.unseen?.processes ?? 0) >= 1, JSON.stringify(r.unseen));
    const f = r.findings.find((x) => x.rule === 'close-wait-leak');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.title)));
    assert.match(f.title, /held by a process we could not inspect/);
    const text = tcpscope(['doctor', '--window', '1', '--fail-on', 'never'], {
      netns: ns.name,
      user: 'nobody',
    });
    assert.match(
      text.stdout,
      /owners of other users' sockets are hidden: \d+ process\(es\) could not be inspected/,
    );
  });
});
