/**
 * `who PORT` on a busy port, against the kernel: thousands of TIME_WAIT sockets on the server's side
 * are summed up in a few lines (every one with --all and in --json), the process is shown with its
 * states and peers, a socket bound but idle on the port is shown, and port 0 is a usage error.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Socket } from '../../src/tcp/socket.js';
import { tcpscope } from '../helpers/cli.js';
import { commPattern } from '../helpers/comm.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';

const PORT = 8080;
const COUNT = 3000;
const LOAD = fileURLToPath(new URL('./_who-load.js', import.meta.url));

interface WhoJson {
  port: number;
  processes: { pid: number; command: string; sockets: Socket[] }[];
  unowned: Socket[];
}

const timeWaits = (ns: TestNetns): number =>
  ns
    .exec(['ss', '-tanH', 'state', 'time-wait', 'sport', `= :${PORT}`])
    .split('\n')
    .filter(Boolean).length;

describe('who PORT on a port with thousands of TIME_WAIT', { timeout: 120_000 }, () => {
  let ns: TestNetns;
  let load: ChildProcess | undefined;
  let pid = 0;
  let tw = 0;

  before(async () => {
    ns = makeNetns();
    load = spawn('ip', ['netns', 'exec', ns.name, process.execPath, LOAD, String(PORT), String(COUNT)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load: not ready after 60 s')), 60_000);
      load!.once('exit', (code) => reject(new Error(`load exited with ${code}`)));
      createInterface({ input: load!.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    pid = (JSON.parse(line) as { pid: number }).pid;
    // A client port the server still has in TIME_WAIT may be reused (the SYN reopens it), so fewer
    // than COUNT stay: wait for the last FINs to land, until two reads agree, with a deadline.
    const deadline = Date.now() + 20_000;
    for (let last = -1; ; ) {
      const n = timeWaits(ns);
      if (n === last && n >= COUNT / 2) break;
      if (Date.now() > deadline) throw new Error(`${n} TIME_WAIT sockets, still changing`);
      last = n;
      await new Promise((r) => setTimeout(r, 200));
    }
    tw = timeWaits(ns);
  });
  after(() => {
    load?.stdin?.end();
    load?.kill('SIGTERM');
    ns?.delete();
  });

  it('sums up the sockets nobody holds per state with their top peers', () => {
    const r = tcpscope(['who', String(PORT)], { netns: ns.name });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length < 25, `${lines.length} lines:\n${r.stdout}`);
    // The process, with its states (listed, being few): the listener, both ends of the two
    // connections kept, the bound socket.
    assert.match(
      r.stdout,
      new RegExp(
        `${commPattern(pid)}\\[${pid}\\] user root: 6 socket\\(s\\): ESTABLISHED 4, UNCONN 1, LISTEN 1`,
      ),
    );
    assert.match(r.stdout, /LISTEN +0 +511 +127\.0\.0\.1:8080 +0\.0\.0\.0:\*/);
    assert.match(r.stdout, /ESTABLISHED +0 +0 +127\.0\.0\.1:8080 +127\.0\.0\.2:\d+/);
    // The TIME_WAIT ones: one line, peers most frequent first with their counts (3:2:1).
    const line = lines.find((l) => /^ +TIME_WAIT +\d+/.test(l));
    assert.ok(line, r.stdout);
    const [, n] = /TIME_WAIT +(\d+)/.exec(line)!;
    assert.equal(Number(n), tw, line);
    assert.match(
      line,
      /127\.0\.0\.1:8080 +127\.0\.0\.2 \(\d+\), 127\.0\.0\.3 \(\d+\), 127\.0\.0\.4 \(\d+\) +\(timewait\)/,
    );
    assert.match(r.stdout, /--all lists every socket/);
  });

  it('shows a socket bound to the port but neither listening nor connecting', () => {
    const r = tcpscope(['who', String(PORT)], { netns: ns.name });
    assert.match(r.stdout, /UNCONN +0 +0 +127\.0\.0\.5:8080 +0\.0\.0\.0:\*/);
    assert.match(r.stdout, /UNCONN: bound to the port but neither listening nor connecting/);
    const j = JSON.parse(tcpscope(['who', String(PORT), '--json'], { netns: ns.name }).stdout) as WhoJson;
    const mine = j.processes.find((p) => p.pid === pid)!;
    assert.ok(
      mine.sockets.some(
        (s) => s.state === 'CLOSE' && s.local.address === '127.0.0.5' && s.local.port === PORT,
      ),
    );
  });

  it('lists every socket with --all and in --json', () => {
    const r = tcpscope(['who', String(PORT), '--all'], { netns: ns.name });
    assert.equal(r.status, 0, r.stderr);
    const listed = r.stdout.split('\n').filter((l) => /^ +TIME_WAIT /.test(l)).length;
    assert.equal(listed, tw);
    const j = JSON.parse(tcpscope(['who', String(PORT), '--json'], { netns: ns.name }).stdout) as WhoJson;
    assert.equal(j.unowned.filter((s) => s.state === 'TIME_WAIT').length, tw);
    assert.deepEqual(
      j.processes.map((p) => p.pid),
      [pid],
    );
  });

  it('lists the bound sockets with ls --bound, as ss -B does', () => {
    const r = tcpscope(['ls', '--bound', '-p'], { netns: ns.name });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 1, r.stdout);
    assert.match(
      rows[0]!,
      new RegExp(
        `^UNCONN +0 +0 +127\\.0\\.0\\.5:8080 +0\\.0\\.0\\.0:\\* +${commPattern(pid)}\\[${pid}\\]/\\d+$`,
      ),
    );
    // Without --bound they are not listed (as ss -ta).
    const plain = tcpscope(['ls', '-s', 'closed'], { netns: ns.name });
    assert.doesNotMatch(plain.stdout, /UNCONN/);
  });

  it('refuses port 0 and ports above 65535 as usage errors', () => {
    for (const bad of ['0', ':0', '127.0.0.1:0', '65536']) {
      const r = tcpscope(['who', bad], { netns: ns.name });
      assert.equal(r.status, 2, `${bad}: ${r.stdout}`);
      assert.match(r.stderr, /port from 1 to 65535/);
    }
  });
});
