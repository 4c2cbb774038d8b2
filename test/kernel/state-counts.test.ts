/**
 * Live counts from the real kernel: a private network namespace with a listener and two connections
 * made on its loopback, read through /proc/PID/net of a process inside it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { readLiveStateCounts } from '../../src/kernel/state-counts.js';

const NS = `tcpscope-fsm-${process.pid}`;
// Inside the namespace: listen, connect twice, report the pid, stay until stdin closes.
const CHILD = `
const net = require('node:net');
const keep = [];
// Ready once both ends of both connections are ours: two accepted, two connected.
let said = false;
const ready = () => { if (keep.length === 4 && !said) { said = true; console.log('ready ' + process.pid); } };
const srv = net.createServer((s) => { keep.push(s); ready(); });
srv.listen(0, '127.0.0.1', async () => {
  const port = srv.address().port;
  for (let i = 0; i < 2; i++) await new Promise((ok) => keep.push(net.connect(port, '127.0.0.1', ok)));
  ready();
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

describe('live state counts', { timeout: 30_000 }, () => {
  let child: ChildProcess | undefined;
  let pid = 0;
  before(async () => {
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    child = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', CHILD], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    pid = await new Promise<number>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the child did not get ready in 10 s')), 10_000);
      child!.stdout!.on('data', (b: Buffer) => {
        const m = /ready (\d+)/.exec(b.toString());
        if (m) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
      child!.on('exit', (code) => fail(new Error(`the child exited (${code})`)));
    });
  });
  after(() => {
    child?.stdin?.end();
    child?.kill();
    execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
  });

  it('counts the namespace sockets by state through /proc/PID/net', async () => {
    const { counts, malformed } = await readLiveStateCounts(`/proc/${pid}/net`);
    assert.equal(malformed, 0);
    assert.deepEqual(
      counts,
      { LISTEN: 1, ESTABLISHED: 4 },
      'one listener, two connections seen from both ends',
    );
  });

  it('reports a missing /proc directory as a one-line environment error', async () => {
    await assert.rejects(readLiveStateCounts('/proc/nonexistent/net'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'EENV');
      assert.match(e.message, /\/proc\/nonexistent\/net\/tcp: not found/);
      return true;
    });
  });
});
