/**
 * `tcpscope watch` in a real terminal: tmux runs it against a lab scenario (a CLOSE_WAIT leak) in
 * its namespace; the captured screen shows the counts ss shows, each key does what the help says,
 * a new connection is marked, and the terminal is given back as it was (normal screen, cursor
 * shown, cooked mode) after q and after SIGTERM. Without colour when NO_COLOR is set; plain counts
 * when stdout is not a terminal.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LabRun, startLabScenario } from '../../src/lab/start.js';
import { BIN, tcpscope } from '../helpers/cli.js';
import { connectAndClose } from '../helpers/netns.js';
import { ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

/** A tmux server of this file's own, so that no other tmux user's sessions are touched, nor ours by them. */
const SOCKET = `tcps-watch-${process.pid}`;
const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

class Screen {
  constructor(readonly name: string) {}
  text(colour = false): string {
    return tmux('capture-pane', '-p', ...(colour ? ['-e'] : []), '-t', this.name);
  }
  keys(...keys: string[]): void {
    tmux('send-keys', '-t', this.name, ...keys);
  }
  type(text: string): void {
    tmux('send-keys', '-t', this.name, '-l', '--', text);
  }
  format(f: string): string {
    return tmux('display-message', '-p', '-t', this.name, f).trim();
  }
  async shows(what: string | RegExp, timeoutMs = 10_000): Promise<string> {
    return waitFor(
      `the screen to show ${what}`,
      () => {
        const t = this.text();
        return (typeof what === 'string' ? t.includes(what) : what.test(t)) ? t : undefined;
      },
      { timeoutMs, everyMs: 100 },
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${this.text()}`);
    });
  }
}

/** The per-state counts on the screen. */
function screenCounts(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^[> ] ([A-Z_0-9]+)\s+([\d,]+)\s/gm))
    out[m[1]!] = Number(m[2]!.replace(/,/g, ''));
  return out;
}

/** ss's per-state counts under the names the screen shows (CLOSE as UNCONN, as ss writes it). */
function ssCounts(netns: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(ssStateCounts(netns)).map(([k, v]) => [k === 'CLOSE' ? 'UNCONN' : k, v]),
  );
}

describe('tcpscope watch on a terminal', { timeout: 180_000 }, () => {
  let lab: LabRun;
  let dir: string;
  let n = 0;
  before(async () => {
    lab = await startLabScenario('close-wait-leak', { count: 6 });
    dir = mkdtempSync(join(tmpdir(), 'tcpscope-watch-'));
  });
  after(async () => {
    const socketPath = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], {
      encoding: 'utf8',
    }).stdout.trim();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    if (socketPath) rmSync(socketPath, { force: true });
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A tmux session running watch in a shell, which records the terminal's modes after it. */
  function open(env: Record<string, string> = {}): Screen {
    const name = `tcps-watch-${process.pid}-${n++}`;
    const envs = Object.entries({ NO_COLOR: '', ...env }).map(([k, v]) =>
      v === '' ? `-u ${k}` : `${k}=${v}`,
    );
    const cmd = `env ${envs.join(' ')} ${process.execPath} ${BIN} watch --netns ${lab.netns} --select close-wait -n 0.5; stty -a > ${dir}/${name}.stty; echo WATCH-ENDED; sleep 60`;
    tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', 'bash', '-c', cmd);
    return new Screen(name);
  }

  it('shows the counts ss shows, and the connections of the selected state with their process', async () => {
    const s = open();
    await s.shows(/^> CLOSE_WAIT\s+6\s/m);
    await waitFor(
      'the screen and ss to agree',
      () => {
        const want = ssCounts(lab.netns);
        const got = screenCounts(s.text());
        return (
          JSON.stringify(got) === JSON.stringify(want) &&
          JSON.stringify(ssCounts(lab.netns)) === JSON.stringify(want)
        );
      },
      { timeoutMs: 15_000, everyMs: 200 },
    );
    const text = s.text();
    assert.match(text, new RegExp(`ports ${lab.culprit.port} \\(6\\)`));
    assert.match(
      text,
      new RegExp(
        `127\\.0\\.0\\.1:${lab.culprit.port}\\s+127\\.3\\.0\\.\\d+:\\d+\\s+1\\s+0 node\\[${lab.culprit.pid}\\]`,
      ),
    );
    assert.equal(text.split('\n').filter((l) => l !== '').length <= 24, true);
    s.keys('q');
  });

  it('answers each key: j/k, arrows, /, s, p, ?, q', async () => {
    const s = open();
    await s.shows(/^> CLOSE_WAIT/m);
    s.keys('j');
    await s.shows(/^> LAST_ACK/m);
    s.keys('k', 'k');
    await s.shows(/^> UNCONN/m);
    s.keys('Down');
    await s.shows(/^> CLOSE_WAIT/m);
    s.keys('Up', 'Down');
    await s.shows(/^> CLOSE_WAIT/m);
    // A filter in the ls flags: nothing on port 9999, then cleared.
    s.keys('/');
    await s.shows('filter (ls flags');
    s.type('--port 9999');
    s.keys('Enter');
    await s.shows('filter --port 9999');
    await s.shows(/ports - · processes -/);
    s.keys('/', 'C-u', 'Enter');
    await s.shows(new RegExp(`ports ${lab.culprit.port} \\(6\\)`));
    // A state filter moves the selection.
    s.keys('/');
    s.type('-s fin-wait2');
    s.keys('Enter');
    await s.shows(/^> FIN_WAIT2/m);
    s.keys('/', 'C-u', 'Enter', 'k', 'k', 'k');
    // A bad filter is refused in one line, the view goes on.
    s.keys('/');
    s.type('--bogus');
    s.keys('Enter');
    await s.shows("unknown filter '--bogus'");
    s.keys('s');
    await s.shows('sort local');
    s.keys('s', 's', 's', 's');
    await s.shows('sort new');
    s.keys('p');
    await s.shows('PAUSED');
    s.keys('p');
    await waitFor('unpaused', () => !s.text().includes('PAUSED'));
    s.keys('?');
    await s.shows('tcpscope watch: keys');
    s.keys('x');
    await s.shows(/^> /m);
    s.keys('q');
    await s.shows('WATCH-ENDED');
  });

  it('marks a new connection', async () => {
    const s = open();
    await s.shows(/^> CLOSE_WAIT\s+6\s/m);
    // A client that connects and closes: the server never closes, one more CLOSE_WAIT.
    connectAndClose(lab.netns, lab.culprit.port);
    await s.shows(/^> CLOSE_WAIT\s+7\s+\+1/m);
    await s.shows(new RegExp(`^\\+ 127\\.0\\.0\\.1:${lab.culprit.port}\\s`, 'm'));
    s.keys('q');
  });

  it('gives the terminal back after q and after SIGTERM', async () => {
    for (const how of ['q', 'SIGTERM'] as const) {
      const s = open();
      await s.shows(/^> CLOSE_WAIT/m);
      assert.equal(s.format('#{alternate_on}'), '1', 'the alternate screen while it runs');
      assert.equal(s.format('#{cursor_flag}'), '0', 'the cursor hidden while it runs');
      if (how === 'q') s.keys('q');
      else {
        const pid = execFileSync('pgrep', ['-f', `^${process.execPath} ${BIN} watch --netns ${lab.netns}`], {
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .filter((p) => p !== '');
        assert.ok(pid.length > 0);
        for (const p of pid) process.kill(Number(p), 'SIGTERM');
      }
      await s.shows('WATCH-ENDED');
      assert.equal(s.format('#{alternate_on}'), '0', `${how}: the normal screen back`);
      assert.equal(s.format('#{cursor_flag}'), '1', `${how}: the cursor shown`);
      const stty = readFileSync(join(dir, `${s.name}.stty`), 'utf8');
      assert.match(stty, /(^|\s)icanon(\s|$)/, `${how}: cooked mode`);
      assert.match(stty, /(^|\s)echo(\s|$)/, `${how}: echo`);
      tmux('kill-session', '-t', s.name);
    }
  });

  it('ends quietly when its terminal goes away, leaving no tracefs instance', async () => {
    const name = `tcps-watch-${process.pid}-${n++}`;
    const err = join(dir, `${name}.err`);
    const cmd = `exec ${process.execPath} ${BIN} watch --netns ${lab.netns} --select close-wait -n 0.3 2> ${err}`;
    tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24', 'bash', '-c', cmd);
    const s = new Screen(name);
    await s.shows(/^> CLOSE_WAIT/m);
    const pid = Number(s.format('#{pane_pid}'));
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /watch/, 'watch is the pane’s process');
    // The terminal closes under it, as when an SSH session drops: SIGHUP, and writes fail (EIO).
    tmux('kill-session', '-t', name);
    await waitFor('watch to end', () => !existsSync(`/proc/${pid}`), { timeoutMs: 10_000, everyMs: 50 });
    assert.equal(readFileSync(err, 'utf8'), '', 'nothing on stderr (no stack trace, no abort)');
    const left = existsSync('/sys/kernel/tracing/instances')
      ? readdirSync('/sys/kernel/tracing/instances').filter((i) => i.startsWith(`tcpscope-${pid}-`))
      : [];
    assert.deepEqual(left, []);
  });

  it('paints with colour on a terminal, and without when NO_COLOR is set', async () => {
    const coloured = open();
    await coloured.shows(/^> CLOSE_WAIT/m);
    assert.match(coloured.text(true), /\x1b\[[0-9;]*3[1-7]m/);
    coloured.keys('q');
    const plain = open({ NO_COLOR: '1' });
    await plain.shows(/^> CLOSE_WAIT/m);
    assert.doesNotMatch(plain.text(true), /\x1b\[[0-9;]*3[1-7]m/);
    plain.keys('q');
  });

  it('prints the counts every refresh when stdout is not a terminal', () => {
    const r = tcpscope(['watch', '--netns', lab.netns, '--count', '2', '-n', '0.2']);
    assert.equal(r.status, 0, r.stderr);
    const blocks = r.stdout.split('\n').filter((l) => l.startsWith('# '));
    assert.equal(blocks.length, 2);
    assert.match(r.stdout, new RegExp(`^CLOSE_WAIT\\s+${ssCounts(lab.netns).CLOSE_WAIT}$`, 'm'));
  });
});
