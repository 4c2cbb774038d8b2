/**
 * Systems unlike the usual one: IPv6 turned off in the namespace, a /proc without tcp6 (a kernel
 * without IPv6), a /proc/net/tcp that changes while it is read, a namespace without tracefs mounted.
 * Each answer is the table, or one clear line; never a stack trace. Loopback of a namespace of the
 * test's own, bounded traffic.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN } from '../helpers/cli.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

/** `tcpscope ARGS` inside the namespace. */
const inNs = (ns: TestNetns, args: string[]) =>
  run(['ip', 'netns', 'exec', ns.name, process.execPath, BIN, ...args]);

function run(argv: string[]) {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 << 20 });
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace: ${r.stderr}`);
  return r;
}

describe('unusual systems', { timeout: 120_000 }, () => {
  let ns: TestNetns;
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-unusual-'));
  before(() => {
    ns = makeNetns('unusual');
  });
  after(() => {
    ns?.delete();
    rmSync(dir, { recursive: true, force: true });
  });

  it('IPv6 turned off: both sources read the IPv4 table', () => {
    ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    try {
      for (const source of ['netlink', 'procfs']) {
        const r = inNs(ns, ['ls', '-p', '--source', source]);
        assert.equal(r.status, 0, r.stderr);
        const d = inNs(ns, ['doctor', '--now', '--source', source]);
        assert.ok(d.status === 0 || d.status === 1, d.stderr);
      }
    } finally {
      ns.exec(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=0']);
    }
  });

  it('a /proc without tcp6 (a kernel without IPv6): the IPv4 table alone', () => {
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, 'net'), { recursive: true });
    copyFileSync('/proc/net/tcp', join(proc, 'net', 'tcp'));
    for (const cmd of [['ls'], ['count']]) {
      const r = run([process.execPath, BIN, ...cmd, '--source', 'procfs', '--proc-root', proc]);
      assert.equal(r.status, 0, r.stderr);
    }
    // Nothing at all to read: one line saying what is missing.
    const none = run([
      process.execPath,
      BIN,
      'ls',
      '--source',
      'procfs',
      '--proc-root',
      join(dir, 'nothing'),
    ]);
    assert.equal(none.status, 2);
    assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);
  });

  it('a /proc/net/tcp that changes while it is read: every read whole, none fails', async () => {
    // Connections opened and closed as fast as they go, for 4 s at most and 20,000 at most.
    const churn = spawn(
      'ip',
      [
        ...['netns', 'exec', ns.name, process.execPath, '-e'],
        `const net = require('net');
         const end = Date.now() + 4000; let made = 0;
         const srv = net.createServer((c) => c.end()).listen(7400, '127.0.0.1', () => {
           const one = () => {
             if (Date.now() > end || made >= 20000) return srv.close();
             made++;
             const c = net.connect(7400, '127.0.0.1', () => c.end());
             c.on('close', one); c.on('error', one);
           };
           for (let i = 0; i < 16; i++) one();
         });`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => churn.once('exit', r));
    let reads = 0;
    try {
      // Reading starts once connections are being made (more than the listener in the table).
      await waitFor('the churn under way', () => ns.exec(['ss', '-tanH']).trim().split('\n').length > 4, {
        timeoutMs: 10_000,
      });
      for (let i = 0; i < 15; i++) {
        const r = run([process.execPath, BIN, 'count', '--source', 'procfs', '--netns', ns.name, '--json']);
        assert.equal(r.status, 0, r.stderr);
        const j = JSON.parse(r.stdout);
        assert.ok(j.total >= 0 && Object.values(j.states).every((n) => Number.isInteger(n)));
        const l = run([process.execPath, BIN, 'ls', '--source', 'procfs', '--netns', ns.name, '--json']);
        assert.equal(l.status, 0, l.stderr);
        assert.equal(JSON.parse(l.stdout).malformed ?? 0, 0, 'no line read half-written');
        reads++;
      }
    } finally {
      churn.kill('SIGKILL');
      await exited;
    }
    assert.equal(reads, 15);
  });

  it('a namespace where tracefs is not mounted: trace mounts it for itself, or samples', () => {
    const r = inNs(ns, ['trace', '--duration', '0.3']);
    assert.equal(r.status, 0, r.stderr);
  });
});
