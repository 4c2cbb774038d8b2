import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSs } from '../../src/lab/ss.js';
import { makeNetns, OPEN_CLOSE, type TestNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const CLI = fileURLToPath(new URL('../../../dist/tcpscope.mjs', import.meta.url));

/** Holds sockets steady in the namespace: 3 pairs over IPv4, 1 over IPv6, 1 TIME_WAIT; "ready" on stdout. */
const HOLD = `
import { readFileSync } from "node:fs";
import net from "node:net";
const held = [];
const listen = (host, port) => new Promise((r) => {
  const s = net.createServer((c) => { held.push(c); c.on("end", () => c.end()); });
  s.listen(port, host, () => r(s));
});
const connect = (host, port) => new Promise((r) => { const c = net.connect({ host, port }, () => r(c)); });
await listen("127.0.0.1", 7000);
await listen("::1", 7001);
for (let i = 0; i < 3; i++) held.push(await connect("127.0.0.1", 7000));
held.push(await connect("::1", 7001));
const gone = await connect("127.0.0.1", 7000);
await new Promise((r) => { gone.on("close", r); gone.end(); });
// Ready once the server end of the closed connection has left LAST_ACK (and TIME_WAIT shows).
const states = () => readFileSync("/proc/net/tcp", "latin1").split("\\n").slice(1).map((l) => l.trim().split(/\\s+/)[3]);
const deadline = Date.now() + 10000;
while (states().includes("09") || !states().includes("06")) {
  if (Date.now() > deadline) throw new Error("holder: the closed connection did not settle in 10 s");
  await new Promise((r) => setTimeout(r, 10));
}
console.log("ready");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI, inside the namespace when `ns` is given; `during` runs while it does (with its stdout so far). */
function cli(
  args: string[],
  ns?: TestNetns,
  during?: (p: ChildProcess, out: () => string) => Promise<void>,
): Promise<Run> {
  const argv = ns ? ['netns', 'exec', ns.name, process.execPath, CLI, ...args] : [CLI, ...args];
  const p = spawn(ns ? 'ip' : process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => {
    stdout += d;
  });
  p.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    during?.(p, () => stdout).catch(reject);
  });
}

const lines = (s: string): Record<string, Record<string, number>>[] =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
/** Waits until the CLI has printed `n` lines. */
const linesPrinted = (out: () => string, n: number) =>
  waitFor(`${n} lines of output`, () => out().split('\n').length > n, { timeoutMs: 20_000 });

describe('tcpscope stat in a private namespace', () => {
  let ns: TestNetns;
  let holder: ChildProcess | undefined;
  before(async () => {
    ns = makeNetns('cli');
    holder = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--input-type=module', '-e', HOLD], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
      holder!.on('exit', (c) => reject(new Error(`holder exited ${c}`)));
    });
  });
  after(() => {
    holder?.stdin?.end();
    holder?.kill();
    ns?.close();
  });

  it('prints for -n SOCK what /proc/net/sockstat says at that moment, and for STATE what ss counts', async () => {
    const r = await cli(['stat', '-n', 'SOCK,SOCK6,STATE', '--json', '0.2', '1'], ns);
    assert.equal(r.code, 0, r.stderr);
    const [line] = lines(r.stdout);
    const sockstat = await ns.run(['cat', '/proc/net/sockstat', '/proc/net/sockstat6']);
    const field = (table: string, name: string): number => {
      const m = new RegExp(`^${table}:.* ${name} (\\d+)`, 'm').exec(sockstat);
      assert.ok(m, `${table} ${name} in sockstat`);
      return Number(m[1]);
    };
    assert.deepEqual(line!['SOCK'], {
      totsck: field('sockets', 'used'),
      tcpsck: field('TCP', 'inuse'),
      udpsck: field('UDP', 'inuse'),
      rawsck: field('RAW', 'inuse'),
      'ip-frag': field('FRAG', 'inuse'),
      'tcp-tw': field('TCP', 'tw'),
    });
    assert.equal(line!['SOCK']!['tcpsck'], 7, 'a listener and three pairs over IPv4');
    assert.equal(line!['SOCK']!['tcp-tw'], 1);
    assert.equal(line!['SOCK6']!['tcp6sck'], field('TCP6', 'inuse'));
    const ss = parseSs(await ns.run(['ss', '-tanH']), false);
    const expected: Record<string, number> = {};
    for (const s of ss) expected[s.state] = (expected[s.state] ?? 0) + 1;
    const states = Object.fromEntries(Object.entries(line!['STATE']!).filter(([, n]) => n > 0));
    assert.deepEqual(states, expected);
  });

  it('sees N connections as active/s and passive/s over the real interval (ip netns exec)', async () => {
    // Two intervals: the connections are made once the first has been printed, so within the second.
    const n = 25;
    const r = await cli(['stat', '-n', 'TCP,ETCP', '--json', '3', '2'], ns, async (_p, out) => {
      await linesPrinted(out, 1);
      await ns.node(OPEN_CLOSE, [String(n), '8080']);
    });
    assert.equal(r.code, 0, r.stderr);
    const [quiet, iv, avg] = lines(r.stdout);
    assert.equal(quiet!['TCP']!['active/s'], 0, 'nothing opens connections before');
    const seconds = iv!['interval'] as unknown as number;
    assert.ok(seconds >= 2.9 && seconds < 4, `interval ${seconds}`);
    assert.equal(Math.round(iv!['TCP']!['active/s']! * seconds), n);
    assert.equal(Math.round(iv!['TCP']!['passive/s']! * seconds), n);
    assert.equal(iv!['ETCP']!['atmptf/s'], 0);
    assert.equal((avg as unknown as { average: boolean }).average, true);
    const total = seconds + (quiet!['interval'] as unknown as number);
    assert.equal(Math.round(avg!['TCP']!['active/s']! * total), n, 'the average spans both intervals');
  });

  it('reads a named namespace with --netns, and lays text out like sar', async () => {
    const r = await cli(['stat', '--netns', ns.name, '-n', 'TCP,LISTEN', '0.3', '2']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.split('\n');
    assert.match(text[0]!, new RegExp(`^Linux \\S+ \\(.*\\)  \\d{4}-\\d\\d-\\d\\d  netns ${ns.name}$`));
    const heads = text.filter((l) => l.includes('active/s'));
    assert.equal(heads.length, 3, 'two intervals and the average');
    assert.match(heads[0]!, /^\d\d:\d\d:\d\d {4}active\/s passive\/s {4}iseg\/s {4}oseg\/s$/);
    assert.match(text.at(-2)!, /^Average: +(0\.00 +){5}0\.00$/, 'LISTEN average, no overflow here');
    assert.equal(text.filter((l) => l.startsWith('Average:')).length, 4);
  });

  it('ends an endless run on Ctrl-C with the average, exit 0', async () => {
    const r = await cli(['stat', '-n', 'TCP', '--json', '0.2'], ns, async (p, out) => {
      await linesPrinted(out, 2);
      p.kill('SIGINT');
    });
    assert.equal(r.code, 0, r.stderr);
    const all = lines(r.stdout);
    assert.ok(all.length >= 3, r.stdout);
    assert.equal((all.at(-1) as unknown as { average?: boolean }).average, true);
  });

  it('refuses bad arguments in one line, exit 2', async () => {
    for (const args of [
      ['stat', '-n', 'DEV'],
      ['stat', '0'],
      ['stat', '1', 'x'],
      ['stat', '--netns', 'no-such-ns-here', '1', '1'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});
