// Real kernel, as root: namespaces are made, used and removed; cleanup holds on every way out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { liveNames } from '../../src/lab/cleanup.js';
import { createNetns, LAB_SYSCTLS, listNetns, withNetns } from '../../src/lab/netns.js';

const NETNS_JS = new URL('../../src/lab/netns.js', import.meta.url).href;

/** Whether a process still runs: gone, or a zombie waiting for whoever inherited it to reap it, is not. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('netns', () => {
  it('makes a named namespace with loopback up, lab sysctls and its own nft tables, then removes it', async () => {
    const hostSynRetries = readFileSync('/proc/sys/net/ipv4/tcp_syn_retries', 'utf8');
    const ns = await createNetns('tcps-test');
    assert.match(ns.name, new RegExp(`^tcps-test-${process.pid}-\\d+$`));
    assert.ok((await listNetns()).includes(ns.name));
    assert.deepEqual(liveNames(), [ns.name]);
    assert.equal((await ns.exec(['ip', 'netns', 'identify'])).trim(), ns.name);
    const lo = await ns.exec(['ip', 'addr', 'show', 'lo']);
    assert.match(lo, /<LOOPBACK,UP,LOWER_UP>/);
    assert.match(lo, /inet 127\.0\.0\.1\/8/);
    assert.match(lo, /inet6 ::1\/128/);
    for (const [key, value] of Object.entries(LAB_SYSCTLS))
      assert.equal(await ns.readSysctl(key), String(value));
    assert.equal(
      readFileSync('/proc/sys/net/ipv4/tcp_syn_retries', 'utf8'),
      hostSynRetries,
      'host untouched',
    );
    await ns.nft(
      'table inet t {\n chain c {\n type filter hook input priority 0;\n tcp dport 1 drop\n }\n}\n',
    );
    assert.match(await ns.exec(['nft', 'list', 'ruleset']), /tcp dport 1 drop/);
    const sleeper = ns.spawn(['sleep', '30']);
    await new Promise((r) => sleeper.once('spawn', r));
    await Promise.all([ns.dispose(), ns.dispose()]);
    await ns.dispose();
    assert.ok(!(await listNetns()).includes(ns.name));
    assert.ok(!alive(sleeper.pid!), 'what ran inside is ended');
    assert.deepEqual(liveNames(), []);
    await assert.rejects(ns.exec(['true']), UsageError);
    assert.throws(() => ns.spawn(['true']), /already disposed/);
  });

  it('takes sysctls of the caller and says which command failed', async () => {
    await withNetns(
      'tcps-test',
      async (ns) => {
        assert.equal(await ns.readSysctl('net.ipv4.tcp_syn_retries'), '2');
        await assert.rejects(ns.nft('this is not nft\n'), /^EnvironmentError: ip netns exec \S+ nft -f -: /);
        await assert.rejects(ns.sysctl({ 'bad key': 1 }), /sysctl: bad key "bad key"/);
      },
      { sysctls: { 'net.ipv4.tcp_syn_retries': 2 } },
    );
    await assert.rejects(createNetns('bad prefix!'), /netns: bad prefix/);
  });

  it('withNetns removes the namespace when the function throws', async () => {
    let name = '';
    await assert.rejects(
      withNetns('tcps-test', async (ns) => {
        name = ns.name;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(name && !(await listNetns()).includes(name));
  });

  for (const how of ['SIGINT', 'SIGTERM', 'exit'] as const) {
    it(`removes the namespace when the process ends by ${how}`, async () => {
      // A child makes a namespace (and, for signals, starts `sleep` inside), prints what it made, then waits or ends.
      const script = `
        import { createNetns } from ${JSON.stringify(NETNS_JS)};
        const ns = await createNetns('tcps-test-${how.toLowerCase()}');
        let pid = 0;
        if (${how !== 'exit'}) {
          const c = ns.spawn(['sleep', '30']);
          await new Promise((r) => c.once('spawn', r));
          pid = c.pid;
          setInterval(() => {}, 1000);
        }
        console.log(JSON.stringify({ name: ns.name, pid }));`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((r) =>
        child.stdout.once('data', (b: Buffer) => r(b.toString())),
      );
      const made = JSON.parse(line) as { name: string; pid: number };
      if (how !== 'exit') {
        assert.ok((await listNetns()).includes(made.name));
        child.kill(how);
      }
      const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
        child.once('exit', (c, s) => r([c, s])),
      );
      if (how === 'exit') assert.equal(code, 0);
      else assert.equal(signal, how, 'dies of the signal after cleaning up');
      assert.ok(!(await listNetns()).includes(made.name), `${made.name} removed`);
      if (made.pid) assert.ok(!alive(made.pid), 'what ran inside is ended');
    });
  }
});
