// Real kernel, as root: `tcpscope lab` as a user runs it (the built CLI, dist/tcpscope.mjs): the
// list, a whole run in JSON, up then down leaving nothing behind, Ctrl-C during a run (while it holds,
// and while it is still making the scenario), and the one-line errors (not root, tools missing, bad
// input). Never `lab down --all`: other lab namespaces on this machine are not ours.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listNetns } from '../../src/lab/netns.js';
import { parseSs } from '../../src/lab/ss.js';
import { LAB_STATE_DIR } from '../../src/lab/state.js';
import { BIN, tcpscope } from '../helpers/cli.js';
import { commOf } from '../helpers/comm.js';
import { waitFor } from '../helpers/wait.js';

/** Whether a process runs (a zombie does not count). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Lab namespaces whose maker was `pid`. */
async function labNamespacesOf(pid: number): Promise<string[]> {
  return (await listNetns()).filter((n) => new RegExp(`^tcpscope-lab-.*-${pid}-\\d+$`).test(n));
}

interface RunJson {
  scenario: string;
  netns: { name: string };
  processes: { role: string; pid: number }[];
  culprit: { pid: number; port: number };
  states: Record<string, number>;
  steps: { argv: string[]; exitCode?: number; output?: unknown; skipped?: string }[];
  reality: string[];
  folklore?: string;
  removed: boolean;
}

describe('tcpscope lab', () => {
  it('lists every scenario, without root', () => {
    const r = tcpscope(['lab', 'list', '--json'], { user: 'nobody' });
    assert.equal(r.status, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { scenarios: { id: string; shows: string; rules: string[] }[] };
    assert.equal(list.scenarios.length, 19);
    assert.ok(list.scenarios.some((s) => s.id === 'close-wait-leak' && s.rules.includes('close-wait-leak')));
    for (const args of [
      ['lab', '--help'],
      ['lab', 'run', '--help'],
      ['lab', 'up', '--help'],
      ['lab', 'down', '--help'],
    ]) {
      const h = tcpscope(args);
      assert.equal(h.status, 0, args.join(' '));
      assert.match(h.stdout, /Examples:\n {2}(sudo )?tcpscope lab /, args.join(' '));
    }
    const text = tcpscope(['lab', 'list']);
    assert.match(text.stdout, /^SCENARIO +COUNT +SHOWS\n/);
    assert.match(text.stdout, /\nsyn-flood +200 +SYN_RECV up to the backlog/);
  });

  it('runs close-wait-leak, shows what tcpscope sees, and removes everything', async () => {
    const r = tcpscope(['lab', 'run', 'close-wait-leak', '--count', '4', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as RunJson;
    assert.equal(out.scenario, 'close-wait-leak');
    assert.deepEqual(out.states, { FIN_WAIT2: 4, CLOSE_WAIT: 4, LISTEN: 1 });
    assert.equal(out.culprit.port, 8080);
    assert.equal(out.culprit.pid, out.processes[0]!.pid);
    const count = out.steps.find((s) => s.argv.join(' ') === `count --netns ${out.netns.name} --json`)!;
    assert.deepEqual(count.output, { total: 9, states: { FIN_WAIT2: 4, CLOSE_WAIT: 4, LISTEN: 1 } });
    const byProcess = out.steps.find((s) => s.argv.includes('--by'))!;
    assert.deepEqual(
      (byProcess.output as { rows: { key: string }[] }).rows[0]!.key,
      // The holder runs on this node binary (process.execPath): the kernel shows the same command.
      `${commOf(process.pid)}[${out.culprit.pid}]`,
    );
    const who = out.steps.find((s) => s.argv[0] === 'who')!;
    const procs = (who.output as { processes: { pid: number; sockets: unknown[] }[] }).processes;
    assert.deepEqual(
      procs.map((p) => [p.pid, p.sockets.length]),
      [[out.culprit.pid, 5]],
    );
    const doctor = out.steps.at(-1)!;
    assert.deepEqual(doctor.argv.slice(0, 3), ['doctor', '--window', '2'], 'rates sampled, not --now');
    // The doctor runs on what the scenario made (whether 4 connections are a leak is the doctor's
    // own test's business): its listener audit names the culprit's listener.
    assert.equal(doctor.skipped, undefined, 'this tcpscope has a doctor: the run uses it');
    assert.ok(doctor.exitCode === 0 || doctor.exitCode === 1, `doctor exit ${doctor.exitCode}`);
    type Finding = { rule: string; evidence: { listeners?: { port: number; pid: number }[] } };
    const findings = (doctor.output as { findings: Finding[] }).findings;
    const audit = findings.find((f) => f.rule === 'listen-audit');
    assert.deepEqual(
      audit?.evidence.listeners?.map((l) => [l.port, l.pid]),
      [[8080, out.culprit.pid]],
    );
    assert.ok(out.reality.length > 0 && out.folklore);
    assert.ok(out.removed);
    assert.ok(!(await listNetns()).includes(out.netns.name), 'namespace removed');
    assert.ok(!alive(out.culprit.pid), 'holder ended');
  });

  it('shows it as text: the table, the commands and what really happens', () => {
    const r = tcpscope(['lab', 'run', 'restart-eaddrinuse', '--count', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^lab restart-eaddrinuse: a server restarted/);
    assert.match(r.stdout, /\n {2}TIME_WAIT +4 +no owner\n/);
    assert.match(
      r.stdout,
      /port 9502 \(server without SO_REUSEADDR\): bind\(\) after the restart: EADDRINUSE/,
    );
    assert.match(
      r.stdout,
      /port 9503 \(server with SO_REUSEADDR\): bind\(\) after the restart: ok, listening again/,
    );
    assert.match(
      r.stdout,
      /\n\$ tcpscope ls --netns tcpscope-lab-restart-eaddrinuse-\d+-\d+ -p -s time-wait,listen\n/,
    );
    assert.match(r.stdout, /\nWhat really happens:\n {2}The article: Within 2MSL/);
    // The doctor samples its counter rates: no rate printed comes from a window of 0 s.
    assert.match(
      r.stdout,
      /\$ tcpscope doctor --window 2 --netns \S+\ntcpscope doctor: .*; window 2 s, source netlink\n/,
    );
    assert.doesNotMatch(r.stdout, /window 0 s/);
    assert.doesNotMatch(r.stdout, /findings, or nothing found/);
    assert.match(r.stderr, /removed tcpscope-lab-restart-eaddrinuse-\d+-\d+ and its processes/);
  });

  it('leaves a scenario up, detached, until lab down removes it and its processes', async () => {
    const r = tcpscope(['lab', 'up', 'vanished-load-client', '--count', '3', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const up = JSON.parse(r.stdout) as RunJson & { commands: string[]; down: string };
    const name = up.netns.name;
    const holder = up.processes[0]!.pid;
    try {
      assert.ok((await listNetns()).includes(name));
      assert.ok(alive(holder), 'the holder outlives tcpscope');
      assert.ok(existsSync(join(LAB_STATE_DIR, `${name}.json`)));
      assert.ok(up.commands.includes(`tcpscope ls --netns ${name} -p`));
      assert.equal(up.down, `tcpscope lab down ${name}`);
      // The namespace is there to look at, after the command that made it has ended.
      const rows = parseSs(
        spawnSync('ip', ['netns', 'exec', name, 'ss', '-tanpH'], { encoding: 'utf8' }).stdout,
        true,
      );
      assert.equal(rows.filter((x) => x.state === 'LAST_ACK').length, 3);
      assert.equal(rows.filter((x) => x.state === 'LISTEN' && x.owners?.[0]?.pid === holder).length, 2);
      const ls = tcpscope(['ls', '--netns', name, '-p', '-s', 'listen', '--json']);
      assert.equal(ls.status, 0, ls.stderr);
      const listed = tcpscope(['lab', 'list']);
      assert.match(listed.stdout, new RegExp(`\\nUp \\(tcpscope lab down removes them\\):\\n {2}${name} `));
    } finally {
      const d = tcpscope(['lab', 'down', name, '--json']);
      assert.equal(d.status, 0, d.stderr);
      assert.deepEqual(JSON.parse(d.stdout), {
        removed: [{ name, killed: [holder], scenario: 'vanished-load-client' }],
        skipped: [],
      });
    }
    assert.ok(!(await listNetns()).includes(name), 'namespace removed');
    assert.ok(!alive(holder), 'holder ended');
    assert.ok(!existsSync(join(LAB_STATE_DIR, `${name}.json`)), 'record removed');
  });

  for (const when of ['holding', 'making'] as const) {
    it(`cleans up on Ctrl-C while ${when} the scenario`, async () => {
      const child = spawn(process.execPath, [BIN, 'lab', 'run', 'close-wait-leak', '--hold', '30'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      const trigger = when === 'holding' ? /holding tcpscope-lab-/ : /making it/;
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (b: Buffer) => {
          err += b.toString();
          if (trigger.test(err)) resolve();
        });
      });
      // While making: wait until the namespace exists, so that there is something to clean up.
      if (when === 'making') {
        await waitFor('the lab namespace', async () => (await labNamespacesOf(child.pid!)).length > 0, {
          everyMs: 10,
        });
      }
      const made = await labNamespacesOf(child.pid!);
      assert.equal(made.length, 1);
      const pidsBefore = spawnSync('ip', ['netns', 'pids', made[0]!], { encoding: 'utf8' }).stdout;
      child.kill('SIGINT');
      const [code] = await new Promise<[number | null]>((r) => child.once('exit', (c) => r([c])));
      assert.equal(code, 130, err);
      assert.match(err, /interrupted; namespace and processes removed/);
      assert.deepEqual(await labNamespacesOf(child.pid!), []);
      for (const pid of pidsBefore.split(/\s+/).filter(Boolean).map(Number))
        assert.ok(!alive(pid), `pid ${pid} ended`);
    });
  }

  it('says in one line what is wrong: not root, a tool missing, bad input', () => {
    const cases: [string[], { user?: string; path?: string }, RegExp][] = [
      [
        ['lab', 'run', 'listen'],
        { user: 'nobody' },
        /^tcpscope: lab: needs root \(network namespaces and nftables\): run it with sudo\n$/,
      ],
      [
        ['lab', 'up', 'listen'],
        { path: 'no-nft' },
        /^tcpscope: lab: needs nftables \(nft\), which is missing or broken: /,
      ],
      [['lab', 'run', 'nope'], {}, /^tcpscope: lab: unknown scenario 'nope': listen, established, /],
      [
        ['lab', 'run', 'scan', '--count', '9999'],
        {},
        /^tcpscope: lab scan: --count must be 1 to 500 \(addresses scanned\)\n$/,
      ],
      [['lab', 'run', 'listen', '--hold', 'x'], {}, /^tcpscope: --hold: 'x' is not a whole number\n$/],
      [['lab', 'down', 'not-a-lab'], {}, /^tcpscope: lab down: 'not-a-lab' is not a lab namespace\n$/],
      [
        ['lab', 'down', 'tcpscope-lab-x-1-0'],
        {},
        /^tcpscope: lab down: no lab namespace 'tcpscope-lab-x-1-0'/,
      ],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-lab-test-'));
    try {
      // A PATH with ip and ss but no nft.
      for (const tool of ['ip', 'ss']) {
        const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
        symlinkSync(found, join(dir, tool));
      }
      for (const [args, opts, re] of cases) {
        const r =
          opts.path === undefined
            ? tcpscope(args, opts.user ? { user: opts.user } : {})
            : spawnSync(process.execPath, [BIN, ...args], {
                encoding: 'utf8',
                env: { ...process.env, PATH: dir },
              });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re, args.join(' '));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
