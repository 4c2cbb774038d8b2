/**
 * The long-running commands stop cleanly on SIGINT, SIGTERM and SIGHUP and when the pipe they write
 * to closes: a known exit code, no process left in their process group, no tracefs instance of
 * theirs, and for `record` a history that still reads. Each runs inside a namespace of the test's
 * own (tracefs mounted there as on a booted host), loopback only. `trace` and `capture` have their
 * own such tests (trace.test.ts, capture.test.ts), and so has `lab` for Ctrl-C (lab.test.ts).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listNetns } from '../../src/lab/index.js';
import { BIN } from '../helpers/cli.js';
import { makeNetns, type TestNetns } from '../helpers/netns.js';
import { waitFor } from '../helpers/wait.js';

const TRACEFS = '/sys/kernel/tracing';
const WITH_TRACEFS = ['sh', '-c', 'mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; exec "$0" "$@"'];

type Ending = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'closed stdout';

interface Command {
  args: (dir: string) => string[];
  /** Seen on stdout or stderr once it runs. */
  ready: RegExp;
  endings: Ending[];
  /** Exit codes by ending (0 when not given). */
  codes?: Partial<Record<Ending, number[]>>;
  /** Checks after it ended. */
  check?: (dir: string) => void;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    args: () => ['serve', '--listen', '127.0.0.1:9465'],
    ready: /serving http/,
    endings: ['SIGINT', 'SIGTERM', 'SIGHUP'],
  },
  agent: {
    args: () => ['agent', '--listen', '127.0.0.1:9466', '--interval', '1'],
    ready: /serving http/,
    endings: ['SIGINT', 'SIGTERM', 'SIGHUP'],
  },
  record: {
    args: (dir) => ['record', '--db', join(dir, 'h.db'), '--interval', '1', '--json'],
    ready: /"total":/,
    endings: ['SIGINT', 'SIGTERM', 'SIGHUP', 'closed stdout'],
    check: (dir) => {
      const r = spawnSync(process.execPath, [BIN, 'report', '--db', join(dir, 'h.db'), '--json'], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `the history reads: ${r.stderr}`);
    },
  },
  watch: {
    args: () => ['watch', '-n', '0.2'],
    ready: /sockets/,
    endings: ['SIGINT', 'SIGTERM', 'SIGHUP', 'closed stdout'],
  },
  stat: {
    args: () => ['stat', '1'],
    ready: /active\/s|Linux/,
    endings: ['SIGINT', 'SIGTERM', 'SIGHUP', 'closed stdout'],
  },
  'lab run': {
    args: () => ['lab', 'run', 'close-wait-leak', '--hold', '60'],
    ready: /holding tcpscope-lab-/,
    endings: ['SIGTERM', 'SIGHUP'],
    codes: { SIGTERM: [130, 143], SIGHUP: [129, 130] },
  },
};

/** The processes of a process group still running (zombies aside). */
function groupAlive(pgid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=,stat=', '-g', String(pgid)], { encoding: 'utf8' });
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !/\sZ/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('long-running commands stop cleanly', { timeout: 300_000, concurrency: false }, () => {
  let ns: TestNetns;
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-signals-'));
  before(() => {
    ns = makeNetns('signals');
  });
  after(() => {
    ns?.delete();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, c] of Object.entries(COMMANDS))
    for (const ending of c.endings)
      it(`${name} on ${ending}`, async () => {
        rmSync(join(dir, 'h.db'), { force: true });
        // The lab makes its own namespace from the host's; the others run in the test's.
        const argv =
          name === 'lab run'
            ? [process.execPath, BIN, ...c.args(dir)]
            : ['ip', 'netns', 'exec', ns.name, ...WITH_TRACEFS, process.execPath, BIN, ...c.args(dir)];
        // Its own process group: whatever it starts is found by the group afterwards.
        const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1' },
        });
        const pid = child.pid!;
        let seen = '';
        child.stdout!.on('data', (b: Buffer) => {
          seen += b.toString();
        });
        child.stderr!.on('data', (b: Buffer) => {
          seen += b.toString();
        });
        const exited = new Promise<number | string>((r) =>
          child.once('exit', (code, signal) => r(code ?? signal ?? -1)),
        );
        try {
          await waitFor(`${name} running`, () => c.ready.test(seen), { timeoutMs: 30_000 });
          if (ending === 'closed stdout') child.stdout!.destroy();
          else child.kill(ending);
          const code = await Promise.race([
            exited,
            new Promise<string>((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
          ]);
          assert.ok((c.codes?.[ending] ?? [0]).includes(code as number), `exit ${code}: ${seen.slice(-500)}`);
          await waitFor('its process group gone', () => groupAlive(pid).length === 0, { timeoutMs: 5_000 });
          const left = readdirSync(`${TRACEFS}/instances`).filter((d) => d.startsWith(`tcpscope-${pid}-`));
          assert.deepEqual(left, [], 'no tracefs instance left');
          assert.deepEqual(
            (await listNetns()).filter((n) => n.includes(`-${pid}-`)),
            [],
            'no namespace left',
          );
          c.check?.(dir);
        } finally {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {}
        }
      });
});
