/**
 * `tcpscope record` and `report` against the real kernel: a namespace holding known states (a
 * listener with three CLOSE_WAIT and their FIN_WAIT2 peers, a transfer's two ESTABLISHED ends) is
 * recorded from outside with --netns; the report over the range, `--at` and `--port` show exactly
 * ss's counts. A leak that grows is reported as a trend; a healthy churn at a higher rate is not; the
 * transitions tracefs reports are counted per pair; many sockets born between owner lookups bring
 * the next lookup forward. A
 * recorder killed with SIGKILL mid-run leaves a file that passes integrity_check and still reports;
 * a history that cannot be written, or is missing, is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BIN, tcpscope } from '../helpers/cli.js';
import {
  type Holder,
  makeNetns,
  type NodeProgram,
  OPEN_CLOSE,
  startHolder,
  startNodeIn,
  type TestNetns,
} from '../helpers/netns.js';
import { ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

interface ReportJson {
  points: number;
  resolution: string;
  states: Record<string, { min: number; avg: number; max: number; last: number }>;
  series: { time: string; counts: Record<string, number> }[];
  trends: { rule: string; evidence: Record<string, number> }[];
}

interface AtJson {
  time: string;
  total: number;
  states: Record<string, number>;
  ports: { by: string; rows: { key: string; total: number; states: Record<string, number> }[] };
  processes: { by: string; rows: { key: string; total: number; states: Record<string, number> }[] };
}

/** ss's counts without the zeros. */
function ssCounts(netns: string): Record<string, number> {
  return Object.fromEntries(Object.entries(ssStateCounts(netns)).filter(([, n]) => n > 0));
}

/** Readings in a history file so far (0 while it does not exist yet). */
function readings(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const d = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (d.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    } finally {
      d.close();
    }
  } catch {
    return 0;
  }
}

function json<T>(args: string[]): T {
  const r = tcpscope([...args, '--json']);
  assert.equal(r.status, 0, `tcpscope ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('tcpscope record and report', { timeout: 120_000 }, () => {
  let ns: TestNetns;
  let holder: Holder;
  let dir: string;
  let db: string;
  let expected: Record<string, number>;
  let written: { time: string; total: number; states: Record<string, number> }[];
  before(async () => {
    ns = makeNetns('rec');
    holder = await startHolder(ns, ['closewait', 'transfer']);
    dir = mkdtempSync(join(tmpdir(), 'tcps-store-'));
    db = join(dir, 'history.db');
    expected = ssCounts(ns.name);
    const r = tcpscope([
      'record',
      '--netns',
      ns.name,
      '--interval',
      '1',
      '--count',
      '3',
      '--db',
      db,
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'quiet when stderr is not a terminal');
    written = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; total: number; states: Record<string, number> });
    // The held states do not move: ss agrees before and after the recording.
    assert.deepEqual(ssCounts(ns.name), expected);
  });
  after(() => {
    holder?.stop();
    ns?.delete();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the states ss shows, at every reading', () => {
    assert.deepEqual(expected, { ESTABLISHED: 2, FIN_WAIT2: 3, CLOSE_WAIT: 3, LISTEN: 2 });
    assert.deepEqual(
      written.map((w) => w.states),
      [expected, expected, expected],
      'record --json: each reading',
    );
    const rep = json<ReportJson>(['report', '--db', db, '--from', '-1h']);
    assert.equal(rep.points, 3);
    assert.deepEqual(
      rep.series.map((p) => p.time),
      written.map((w) => w.time),
    );
    assert.equal(rep.resolution, 'raw');
    for (const p of rep.series) assert.deepEqual(p.counts, expected, p.time);
    for (const [state, n] of Object.entries(expected))
      assert.deepEqual(rep.states[state], { min: n, avg: n, max: n, last: n }, state);
    assert.deepEqual(rep.trends, [], 'a flat history has no trend');
  });

  it('--at shows the nearest reading with its ports and processes', () => {
    const at = json<AtJson>(['report', '--db', db, '--at', 'now']);
    assert.deepEqual(at.states, expected);
    assert.equal(at.total, 10);
    const port = at.ports.rows.find((r) => r.key === String(holder.ports['closewait']));
    assert.deepEqual(port?.states, { LISTEN: 1, CLOSE_WAIT: 3 });
    const node = at.processes.rows.filter((r) => /^node\[\d+\]$/.test(r.key));
    assert.equal(
      node.reduce((a, r) => a + r.total, 0),
      10,
      `every socket is the holder's: ${JSON.stringify(at.processes)}`,
    );
  });

  it('--port and --state narrow the series', () => {
    const rep = json<ReportJson>(['report', '--db', db, '--port', String(holder.ports['closewait'])]);
    for (const p of rep.series) assert.deepEqual(p.counts, { LISTEN: 1, CLOSE_WAIT: 3 });
    const cw = json<ReportJson>(['report', '--db', db, '--state', 'close-wait']);
    for (const p of cw.series) assert.deepEqual(p.counts, { CLOSE_WAIT: 3 });
  });

  it('prints a table with sparklines and writes a self-contained HTML page', () => {
    const r = tcpscope(['report', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CLOSE_WAIT\s+3\s+3\s+3\s+3\s+[▁-█]{3}$/m);
    const html = join(dir, 'report.html');
    const h = tcpscope(['report', '--db', db, '-o', html]);
    assert.equal(h.status, 0, h.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<svg /);
    assert.match(page, /CLOSE_WAIT/);
    assert.doesNotMatch(page, /(src|href)=|https?:|<script/i);
  });

  it('says when the range holds nothing (exit 1) or the flags are wrong (exit 2)', () => {
    const empty = tcpscope(['report', '--db', db, '--from', '2001-01-01', '--to', '2001-01-02']);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /^tcpscope: .*no reading between .*\n$/);
    for (const args of [
      ['--from', 'yesterday-ish'],
      ['--state', 'nosuch'],
      ['--port', '70000'],
      ['--at', '25:00'],
    ]) {
      const r = tcpscope(['report', '--db', db, ...args]);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const missing = tcpscope(['report', '--db', join(dir, 'nothing-here.db')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^tcpscope: .*nothing-here\.db: no history there/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  });

  it('sees a CLOSE_WAIT leak grow: the trend rule is loud on the real kernel', async () => {
    const own = makeNetns('leak');
    // A server that never closes what its clients end: one more CLOSE_WAIT every 250 ms, 60 at most.
    let leak: NodeProgram | undefined;
    try {
      leak = await startNodeIn(
        own,
        `import net from "node:net";
        const held = [];
        const srv = net.createServer({ allowHalfOpen: true }, (c) => held.push(c));
        await new Promise((r) => srv.listen(7400, "127.0.0.1", r));
        console.log("ready");
        for (let i = 0; i < 60; i++) {
          const c = net.connect(7400, "127.0.0.1", () => c.end());
          held.push(c);
          await new Promise((r) => setTimeout(r, 250));
        }
        process.stdin.resume();`,
      );
      const file = join(dir, 'leak.db');
      const r = tcpscope(['record', '--netns', own.name, '--interval', '1', '--count', '8', '--db', file]);
      assert.equal(r.status, 0, r.stderr);
      const rep = json<ReportJson>(['report', '--db', file, '--port', '7400']);
      const cw = rep.series.map((p) => p.counts['CLOSE_WAIT'] ?? 0);
      assert.ok(cw[cw.length - 1]! - cw[0]! >= 20, `CLOSE_WAIT grew: ${cw.join(' ')}`);
      const trend = rep.trends.find((t) => t.rule === 'close-wait-growing');
      assert.ok(trend, JSON.stringify(rep.trends));
      assert.ok(trend.evidence['perHour']! > 10_000, String(trend.evidence['perHour']));
    } finally {
      leak?.stop();
      own.delete();
    }
  });

  it('stays quiet about CLOSE_WAIT on a busy healthy churn', async () => {
    const own = makeNetns('churn');
    // A server that closes what its clients end, and a client opening and ending one every 50 ms.
    let churn: NodeProgram | undefined;
    try {
      churn = await startNodeIn(
        own,
        `import net from "node:net";
        const srv = net.createServer((c) => c.on("end", () => c.end()));
        await new Promise((r) => srv.listen(7401, "127.0.0.1", r));
        console.log("ready");
        const until = Date.now() + 20_000;
        while (Date.now() < until) {
          const c = net.connect(7401, "127.0.0.1", () => c.end());
          c.resume();
          await new Promise((r) => setTimeout(r, 50));
        }`,
      );
      const file = join(dir, 'churn.db');
      const r = tcpscope(['record', '--netns', own.name, '--interval', '1', '--count', '8', '--db', file]);
      assert.equal(r.status, 0, r.stderr);
      const rep = json<ReportJson>(['report', '--db', file]);
      const tw = rep.series.map((p) => p.counts['TIME_WAIT'] ?? 0);
      assert.ok(Math.max(...tw) >= 20, `the churn is real: TIME_WAIT ${tw.join(' ')}`);
      assert.equal(
        rep.trends.find((t) => t.rule === 'close-wait-growing'),
        undefined,
        JSON.stringify(rep.trends),
      );
    } finally {
      churn?.stop();
      own.delete();
    }
  });

  it('counts the transitions tracefs reports, per pair, and says why not with --netns', async () => {
    const own = makeNetns('trans');
    const file = join(dir, 'transitions.db');
    try {
      // Recording the namespace it runs in: the machine's transitions, this namespace's among them.
      const rec = spawn(
        'ip',
        [
          'netns',
          'exec',
          own.name,
          process.execPath,
          BIN,
          'record',
          '--interval',
          '1',
          '--count',
          '4',
          '--db',
          file,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      rec.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const exited = new Promise<number | null>((r) => rec.on('exit', r));
      await waitFor('the first reading', () => readings(file) >= 1, { timeoutMs: 15_000 });
      const n = 30;
      await own.node(OPEN_CLOSE, [String(n), '7402']);
      assert.equal(await exited, 0, err);
      const rep = json<ReportJson & { transitions: { from: string; to: string; count: number }[] }>([
        'report',
        '--db',
        file,
      ]);
      const count = (from: string, to: string): number =>
        rep.transitions.find((t) => t.from === from && t.to === to)?.count ?? 0;
      // Each connection: the client's CLOSE→SYN_SENT→ESTABLISHED, the server's child SYN_RECV→ESTABLISHED.
      assert.ok(count('SYN_SENT', 'ESTABLISHED') >= n, JSON.stringify(rep.transitions));
      assert.ok(count('SYN_RECV', 'ESTABLISHED') >= n, JSON.stringify(rep.transitions));
      assert.ok(count('ESTABLISHED', 'FIN_WAIT1') >= n, JSON.stringify(rep.transitions));
      const text = tcpscope(['report', '--db', file]);
      assert.match(text.stdout, /Transitions traced/);
      // Another namespace: tracefs cannot tell its transitions from the others'.
      const otherDb = join(dir, 'other.db');
      const other = tcpscope([
        'record',
        '--netns',
        own.name,
        '--count',
        '2',
        '--interval',
        '1',
        '--db',
        otherDb,
      ]);
      assert.equal(other.status, 0, other.stderr);
      assert.deepEqual(json<{ transitions: unknown[] }>(['report', '--db', otherDb]).transitions, []);
    } finally {
      own.delete();
    }
  });

  it('looks owners up again when many sockets are born between lookups', async () => {
    const own = makeNetns('born');
    const file = join(dir, 'born.db');
    // 300 connections opened on a signal and held: 600 sockets holding files, none known yet.
    let opener: NodeProgram | undefined;
    try {
      opener = await startNodeIn(
        own,
        `import net from "node:net";
        const held = [];
        const srv = net.createServer((c) => held.push(c));
        await new Promise((r) => srv.listen(7403, "127.0.0.1", r));
        console.log("ready");
        process.stdin.once("data", async () => {
          for (let i = 0; i < 300; i++)
            held.push(await new Promise((r) => { const c = net.connect(7403, "127.0.0.1", () => r(c)); }));
          console.log("opened");
        });`,
      );
      const rec = spawn(
        process.execPath,
        [
          BIN,
          'record',
          '--netns',
          own.name,
          '--interval',
          '1',
          '--count',
          '6',
          '--owners-every',
          '1000',
          '--db',
          file,
        ],
        { stdio: 'ignore' },
      );
      const exited = new Promise<number | null>((r) => rec.on('exit', r));
      await waitFor('the first reading', () => readings(file) >= 1, { timeoutMs: 15_000 });
      opener.tell('go');
      assert.equal(await opener.line(), 'opened');
      assert.equal(await exited, 0);
      const d = new Database(file, { readonly: true });
      const owners = (
        d.prepare('SELECT owners FROM samples ORDER BY time').all() as { owners: number }[]
      ).map((r) => r.owners);
      d.close();
      assert.equal(owners[0], 1, 'the first reading looks owners up');
      assert.ok(owners.slice(1).includes(1), `a later one does too: ${owners.join(' ')}`);
      const rep = json<AtJson>(['report', '--db', file, '--at', new Date().toISOString()]);
      const named = rep.processes.rows.find((r) => r.key.startsWith('node['));
      assert.ok(named && named.states['ESTABLISHED']! >= 600, JSON.stringify(rep.processes.rows));
    } finally {
      opener?.stop();
      own.delete();
    }
  });

  it('stops on SIGTERM: exit 0 and the file closed', async () => {
    const file = join(dir, 'term.db');
    const child = spawn(
      process.execPath,
      [BIN, 'record', '--netns', ns.name, '--interval', '1', '--db', file],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitFor('a reading written', () => readings(file) >= 2, { timeoutMs: 20_000, everyMs: 100 });
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(stderr, '');
    // Closed cleanly: the last connection checkpoints the WAL into the file and removes it.
    assert.equal(existsSync(`${file}-wal`), false);
  });

  it('survives SIGKILL mid-recording: the file is intact and still reports', async () => {
    const killed = join(dir, 'killed.db');
    const child = spawn(
      process.execPath,
      [BIN, 'record', '--netns', ns.name, '--interval', '1', '--db', killed],
      {
        stdio: 'ignore',
      },
    );
    try {
      await waitFor('three readings written', () => readings(killed) >= 3, {
        timeoutMs: 20_000,
        everyMs: 100,
      });
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
      );
    }
    const d = new Database(killed);
    try {
      assert.equal(d.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      d.close();
    }
    const rep = json<ReportJson>(['report', '--db', killed]);
    assert.ok(rep.points >= 3, String(rep.points));
    for (const p of rep.series) assert.deepEqual(p.counts, expected, p.time);
  });

  it("records under the systemd unit's two capabilities, owners named", () => {
    const file = join(dir, 'caps.db');
    const r = spawnSync(
      'ip',
      [
        ...['netns', 'exec', ns.name, 'setpriv', '--bounding-set=-all,+sys_ptrace,+dac_read_search'],
        ...[
          '--inh-caps=-all,+sys_ptrace,+dac_read_search',
          '--ambient-caps=-all,+sys_ptrace,+dac_read_search',
        ],
        ...['--', process.execPath, BIN, 'record', '--interval', '1', '--count', '2', '--db', file],
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const at = json<AtJson>(['report', '--db', file, '--at', 'now']);
    assert.deepEqual(at.states, expected);
    assert.ok(
      at.processes.rows.some((p) => /^node\[\d+\]$/.test(p.key)),
      JSON.stringify(at.processes),
    );
    const unit = readFileSync(
      new URL('../../../deploy/systemd/tcpscope-record.service', import.meta.url),
      'utf8',
    );
    assert.match(unit, /^CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH$/m, 'the set tested here');
  });

  it('a full disk is one line and exit 2, and leaves the file intact', () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tcps-store-full', full]);
    try {
      const file = join(full, 'h.db');
      const first = tcpscope(['record', '--netns', ns.name, '--interval', '1', '--count', '1', '--db', file]);
      assert.equal(first.status, 0, first.stderr);
      // Fill what is left of the file system.
      const fill = spawnSync('dd', ['if=/dev/zero', `of=${join(full, 'fill')}`, 'bs=4k'], {
        encoding: 'utf8',
      });
      assert.match(fill.stderr, /No space left/);
      const r = tcpscope(['record', '--netns', ns.name, '--interval', '1', '--count', '3', '--db', file]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^tcpscope: .*h\.db: the disk is full.*\n$/);
      rmSync(join(full, 'fill'));
      const d = new Database(file);
      try {
        assert.equal(d.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        d.close();
      }
      const rep = json<ReportJson>(['report', '--db', file]);
      assert.ok(rep.points >= 1);
      for (const p of rep.series) assert.deepEqual(p.counts, expected, p.time);
    } finally {
      execFileSync('umount', [full]);
    }
  });

  it('a history that cannot be written is one line and exit 2', () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(dir, 0o755);
    chmodSync(ro, 0o555);
    // root writes anywhere: an unprivileged user meets the read-only directory.
    const r = tcpscope(['record', '--count', '1', '--db', join(ro, 'h.db')], { user: 'nobody' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^tcpscope: .*h\.db.*\n$/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    writeFileSync(
      join(dir, 'not-a-db'),
      'hello, this is not SQLite at all, just some text to read\n'.repeat(100),
    );
    chmodSync(join(dir, 'not-a-db'), 0o644);
    const bad = tcpscope(['report', '--db', join(dir, 'not-a-db')]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  });
});
