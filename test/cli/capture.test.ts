/**
 * `tcpscope capture` against the real tcpdump in a test namespace (root): the segments it prints
 * are the ones tcpdump itself decodes from the file `--write` kept; the filter flags reach tcpdump;
 * it stops on --count, --duration, SIGTERM and a closed stdout, leaving no tcpdump behind; missing
 * or refusing tcpdump is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, tcpscope } from '../helpers/cli.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { parseTcpdumpText } from '../helpers/tcpdump-text.js';

const TRAFFIC = fileURLToPath(new URL('../../../test/fixtures/capture/traffic.mjs', import.meta.url));
let ns: TestNetns;
const dir = mkdtempSync(join(tmpdir(), 'tcpscope-capture-'));
before(() => {
  ns = makeNetns();
});
after(() => {
  ns.delete();
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves once tcpdump says it is listening. */
  listening: Promise<void>;
  exit: Promise<number | null>;
}

function start(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): Running {
  const child = spawn(process.execPath, [BIN, 'capture', '--netns', ns.name, '-i', 'lo', ...args], {
    stdio: ['ignore', stdio, 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  const exit = once(child, 'close').then(([code]) => code as number | null);
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump not listening after 20 s: ${err}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      if (err.includes('capturing: listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`capture ended before listening: ${err}`));
    });
  });
  return { child, out: () => out, err: () => err, listening, exit };
}

function traffic(): { ports: Record<string, number> } {
  return JSON.parse(ns.exec([process.execPath, TRAFFIC, '2'])) as { ports: Record<string, number> };
}

/** Processes still running in the test namespace (a tcpdump left behind would be one). */
function leftovers(): string[] {
  return execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.trim() !== '');
}

describe('tcpscope capture (root, tcpdump in a namespace)', () => {
  it('prints every segment tcpdump decodes from the capture --write kept; --count stops it', async () => {
    const file = join(dir, 'kept.pcap');
    // 2 clients per family, each 3 exchanges: more than 40 segments; stop at 40.
    const run = start(['--json', '--write', file, '--count', '40']);
    await run.listening;
    traffic();
    const code = await run.exit;
    assert.equal(code, 0, run.err());
    const printed = run
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(printed.length, 40);
    const want = parseTcpdumpText(
      execFileSync('tcpdump', ['-nr', file, '-tt', '-S'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    assert.ok(want.length >= 40, `the file holds what was printed (${want.length})`);
    printed.forEach((p, i) => {
      const w = want[i]!;
      const src = p['src'] as { address: string; port: number };
      const dst = p['dst'] as { address: string; port: number };
      assert.deepEqual(
        [src.address, src.port, dst.address, dst.port, p['flagsByte'], p['seq']],
        [w.src, w.sport, w.dst, w.dport, w.flags, w.seq ?? p['seq']],
        `segment ${i + 1}`,
      );
      if (w.ack !== undefined) assert.equal(p['ack'], w.ack);
      if (w.len !== undefined) assert.equal(p['len'], w.len);
    });
    assert.ok(printed.some((p) => p['family'] === 6) || want.slice(0, 40).every((w) => w.family === 4));
    // The count is of the segments printed, not of what tcpdump had handed on when it stopped.
    assert.match(run.err(), /tcpscope: 40 TCP packets/);
  });

  it('--port and -6 reach tcpdump as its filter', async () => {
    const run = start(['-6', '--duration', '20s', '--count', '6']);
    await run.listening;
    traffic();
    assert.equal(await run.exit, 0, run.err());
    const lines = run.out().trim().split('\n');
    assert.equal(lines.length, 6);
    for (const l of lines) assert.match(l, /^\d\d:\d\d:\d\d\.\d{6} \[::1\]:\d+ > \[::1\]:\d+ /);
    const run2 = start(['--port', '1', '--duration', '20s', '--count', '2']);
    await run2.listening;
    traffic();
    assert.equal(await run2.exit, 0, run2.err());
    const two = run2.out().trim().split('\n');
    assert.match(two[0]!, /> 127\.0\.0\.1:1 SYN seq/);
    assert.match(two[1]!, /127\.0\.0\.1:1 > .* RST\+ACK/);
  });

  it('--states prints both ends’ transitions as they pass: those the capture it kept rebuilds', async () => {
    const file = join(dir, 'states.pcap');
    // The traffic is done well within the run: every segment reaches both the lines and the file.
    const run = start(['--states', '--json', '--write', file, '--duration', '4s']);
    await run.listening;
    traffic();
    assert.equal(await run.exit, 0, run.err());
    interface Line {
      connection: number;
      end: 'client' | 'server';
      from: string;
      to: string;
      source: string;
      local: { port: number };
    }
    const lines = run
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    assert.ok(lines.length >= 20, String(lines.length));
    assert.ok(lines.every((l) => l.source === 'capture'));
    const live = new Map<string, string[]>();
    for (const l of lines) {
      const k = `${l.connection} ${l.end}`;
      const seq = live.get(k) ?? [];
      // The file's rebuild lists states from the first after the start; a listener's LISTEN is none.
      seq.push(l.to === 'LISTEN' ? 'CLOSE' : l.to);
      live.set(k, seq);
    }
    const rebuilt = JSON.parse(tcpscope(['pcap', file, '--json']).stdout) as {
      connections: { id: number; client: { states: string[] }; server: { states: string[] } }[];
    };
    const want = new Map<string, string[]>();
    for (const c of rebuilt.connections) {
      want.set(`${c.id} client`, c.client.states);
      // A SYN refused by an RST alone found no listener: that server end never existed, and says nothing.
      const never = c.server.states.length === 1 && c.server.states[0] === 'CLOSE';
      if (c.server.states.length > 0 && !never) want.set(`${c.id} server`, c.server.states);
    }
    assert.deepEqual(Object.fromEntries(live), Object.fromEntries(want));
    assert.ok(
      rebuilt.connections.some((c) => c.server.states.join() === 'CLOSE'),
      'the traffic includes a refused connect',
    );
  });

  it('stops on --duration, on SIGTERM, on Ctrl-C (SIGINT) and on a closed stdout, leaving no tcpdump', async () => {
    const t0 = Date.now();
    const timed = start(['--duration', '1s']);
    await timed.listening;
    assert.equal(await timed.exit, 0, timed.err());
    assert.ok(Date.now() - t0 < 15_000);

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const run = start([]);
      await run.listening;
      run.child.kill(signal);
      assert.equal(await run.exit, 0, `${signal}: ${run.err()}`);
      assert.match(run.err(), /tcpscope: \d+ TCP packets/);
    }

    // tcpdump killed by someone else: the capture did not end as asked, and says so.
    const killed = start([]);
    await killed.listening;
    const tcpdump = leftovers().find((pid) => {
      try {
        return readFileSync(`/proc/${pid.trim()}/comm`, 'utf8').trim() === 'tcpdump';
      } catch {
        return false;
      }
    });
    assert.ok(tcpdump, 'tcpdump runs in the namespace');
    process.kill(Number(tcpdump), 'SIGKILL');
    assert.equal(await killed.exit, 2, killed.err());
    assert.match(killed.err(), /^tcpscope: tcpdump was stopped by SIGKILL before the capture ended$/m);

    // stdout is a pipe whose reader goes away: the next write fails with EPIPE and tcpscope leaves.
    const piped = start([]);
    await piped.listening;
    piped.child.stdout!.destroy();
    traffic();
    await piped.exit;
    for (let i = 0; i < 50 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(leftovers(), []);
  });

  it('missing tcpdump, no permission, a bad interface or filter: one line, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--tcpdump', '/nonexistent/tcpdump'], /^tcpscope: \/nonexistent\/tcpdump not found: install tcpdump/],
      [['-i', 'nosuch0'], /^tcpscope: tcpdump: no interface 'nosuch0'/],
      [['--bpf', 'tcp[[[ nonsense'], /^tcpscope: capture filter .* refused: /],
      [['--port', 'http'], /^tcpscope: --port: 'http' is not a port/],
      [['--duration', 'soon'], /^tcpscope: --duration: 'soon' is not a duration/],
    ];
    for (const [args, msg] of cases) {
      const r = tcpscope(['capture', '--netns', ns.name, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.includes('capturing'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, msg);
    }
    // No namespace: spawn itself finds no such program.
    const gone = tcpscope(['capture', '--tcpdump', '/nonexistent/tcpdump']);
    assert.equal(gone.status, 2);
    assert.equal(
      gone.stderr,
      'tcpscope: /nonexistent/tcpdump not found: install tcpdump (apt-get install tcpdump)\n',
    );
    // Without root tcpdump cannot open the device; it never captures anything.
    const r = tcpscope(['capture', '-i', 'lo', '--duration', '5s'], { user: 'nobody' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr.trim(),
      /^tcpscope: capturing on 'lo' is not permitted: run as root, or give tcpdump CAP_NET_RAW and CAP_NET_ADMIN \(tcpdump: .*Operation not permitted\)\)$/,
    );
  });
});
