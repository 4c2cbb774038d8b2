import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GAUGES } from '../../src/stats/counter-delta.js';
import { makeNetns, OPEN_CLOSE, type TestNetns } from '../helpers/netns.js';

const CLI = fileURLToPath(new URL('../../../dist/tcpscope.mjs', import.meta.url));
const execFileP = promisify(execFile);

interface Json {
  counters: Record<string, number>;
  delta?: boolean;
  elapsedMs?: number;
  sysctl?: Record<string, unknown>;
  missing?: string[];
  hostWide?: string[];
  netns?: { inode: number; name?: string };
}

describe('tcpscope counters in a private namespace', () => {
  let ns: TestNetns;
  let dir: string;
  const inNs = async (args: string[], env: Record<string, string> = {}): Promise<string> =>
    (
      await execFileP('ip', ['netns', 'exec', ns.name, process.execPath, CLI, ...args], {
        env: { ...process.env, ...env },
      })
    ).stdout;

  before(() => {
    ns = makeNetns('nstat');
    dir = mkdtempSync(join(tmpdir(), 'tcpscope-counters-'));
  });
  after(() => {
    ns?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows what nstat -a shows, same names and values (gauges added)', async () => {
    // A quiet namespace: nothing moves between the two reads.
    await ns.node(OPEN_CLOSE, ['3', '8080']);
    const ours = JSON.parse(await inNs(['counters', '-z', '--json', '--no-update'])) as Json;
    const nstat = JSON.parse(await ns.run(['nstat', '-asz', '--json'], 10_000)) as {
      kernel: Record<string, number>;
    };
    const mine = Object.fromEntries(
      Object.entries(ours.counters).filter(([k]) => !GAUGES.has(k) || k === 'MPTcpExtMPCurrEstab'),
    );
    assert.deepEqual(mine, nstat.kernel);
    assert.equal(ours.counters['TcpActiveOpens'], 3);
    assert.equal(ours.counters['TcpCurrEstab'], 0, 'gauges shown too');
  });

  it('shows the increase since the last call with --delta, in a history file of its own', async () => {
    const history = join(dir, 'h.json');
    await inNs(['counters', '--history', history]);
    await ns.node(OPEN_CLOSE, ['7', '8081']);
    const d = JSON.parse(await inNs(['counters', '--delta', '--json', '--history', history, 'Tcp*'])) as Json;
    assert.equal(d.delta, true);
    assert.equal(d.counters['TcpActiveOpens'], 7);
    assert.equal(d.counters['TcpPassiveOpens'], 7);
    assert.equal(d.counters['IpInReceives'], undefined, 'filtered by the pattern');
    assert.ok(d.elapsedMs! > 0);
    const again = JSON.parse(
      await inNs(['counters', '--delta', '--json', '--history', history, 'TcpActive*']),
    ) as Json;
    assert.deepEqual(again.counters, {}, 'nothing since: zeros hidden');
  });

  it('keeps its default history under $XDG_CACHE_HOME, keyed by namespace and boot', async () => {
    const cache = join(dir, 'cache');
    const out = await inNs(['counters', '--json'], { XDG_CACHE_HOME: cache });
    const inode = (JSON.parse(out) as Json).netns!.inode;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    assert.deepEqual(readdirSync(join(cache, 'tcpscope')), [`counters-${inode}-${boot}.json`]);
    assert.equal(statSync(join(cache, 'tcpscope', `counters-${inode}-${boot}.json`)).mode & 0o777, 0o600);
    const text = await inNs(['counters', '--delta'], { XDG_CACHE_HOME: cache });
    assert.match(text, /^#netns tcps-t-\d+-\d+-nstat increase since \S+ \(\d+\.\d s\), per second\n/);
  });

  it("reads the namespace's own sysctls with --sysctl --netns", async () => {
    await ns.run(['sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=17']);
    const r = (await execFileP(process.execPath, [CLI, 'counters', '--sysctl', '--json', '--netns', ns.name]))
      .stdout;
    const j = JSON.parse(r) as Json;
    assert.equal(j.sysctl!['net.ipv4.tcp_fin_timeout'], 17);
    assert.ok(Array.isArray(j.sysctl!['net.ipv4.ip_local_port_range']));
    assert.equal(j.missing, undefined, 'every one of them is on this kernel');
    assert.deepEqual(j.hostWide, ['net.ipv4.tcp_max_orphans', 'net.ipv4.tcp_mem']);
    const hostMem = readFileSync('/proc/sys/net/ipv4/tcp_mem', 'latin1').trim().split(/\s+/).map(Number);
    assert.deepEqual(j.sysctl!['net.ipv4.tcp_mem'], hostMem, "host-wide: the host's value");
    const host = readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'latin1').trim();
    assert.notEqual(host, '17', 'the host keeps its own');
  });

  it('names the host-wide sysctls instead of calling them missing', async () => {
    const r = await execFileP(process.execPath, [CLI, '--netns', ns.name, 'counters', '--sysctl']);
    assert.match(r.stdout, /^net\.ipv4\.tcp_mem = \d+\t\d+\t\d+$/m);
    assert.doesNotMatch(r.stderr, /not on this kernel/);
    assert.match(
      r.stderr,
      /host-wide, the host's values .*: net\.ipv4\.tcp_max_orphans, net\.ipv4\.tcp_mem\n/,
    );
    // Run inside the namespace, tcpscope cannot see the host's values: it says so.
    const inside = await execFileP('ip', [
      'netns',
      'exec',
      ns.name,
      process.execPath,
      CLI,
      'counters',
      '--sysctl',
    ]);
    assert.match(
      inside.stderr,
      /host-wide, not visible from this namespace: net\.ipv4\.tcp_max_orphans, net\.ipv4\.tcp_mem/,
    );
    assert.doesNotMatch(inside.stdout, /tcp_mem/);
  });
});
