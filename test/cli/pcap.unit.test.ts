/**
 * `tcpscope pcap` on real tcpdump captures of loopback (test/fixtures/capture/, regenerate.sh): the
 * connection table, JSON, the states at a moment, counts, the ladder of one connection, filters and
 * errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { synthetic } from '../flow/synthetic.js';
import { concat, frame, ipPacket, pcapFile, type Rec } from '../helpers/capture-writer.js';
import { BIN, tcpscope as built } from '../helpers/cli.js';
import { tcpscope } from './_run.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/capture');
const LO = join(FIXTURES, 'lo.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tcpscope-pcap-'));

/**
 * Whether tcpscope has put its own handler on Ctrl-C: Node catches SIGINT from the start (to run the
 * default), so the sign is SIGHUP, caught with it (its SigCgt mask).
 */
function catchesSigint(pid: number): boolean {
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & 1n) !== 0n;
}
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tcpscope pcap', () => {
  it('shows its progress on a terminal’s stderr for a big file, cleared at the end; never on a pipe (doctor --pcap too)', async () => {
    // 20 MB of 100-byte segments of one connection.
    const seg = pcapFile(
      Array.from({ length: 1000 }, (_, i) => ({
        data: frame(
          'ethernet',
          ipPacket({
            src: '10.0.0.1',
            dst: '10.0.0.2',
            sport: 40000,
            dport: 80,
            seq: 1 + i * 46,
            len: 46,
            flags: 0x18,
          }),
        ),
      })),
    ).subarray(24);
    const big = join(dir, 'big.pcap');
    writeFileSync(big, concat([pcapFile([]), ...Array.from({ length: 200 }, () => seg)]));
    const onTerminal = await tcpscope(['pcap', big, '--json'], false, true);
    assert.equal(onTerminal.code, 0, onTerminal.err);
    assert.match(onTerminal.err, /\r\x1b\[Kreading .*big\.pcap: \d+% \(\d+ of \d+ MB, [\d.]+ s\)/);
    assert.ok(onTerminal.err.endsWith('\r\x1b[K'), 'the line is cleared at the end');
    const onPipe = await tcpscope(['pcap', big, '--json']);
    assert.doesNotMatch(onPipe.err, /reading/);
    assert.equal(onPipe.out, onTerminal.out);
    // The doctor reads a capture the same way.
    const doctor = await tcpscope(['doctor', '--pcap', big, '--json', '--fail-on', 'never'], false, true);
    assert.equal(doctor.code, 0, doctor.err);
    assert.match(doctor.err, /\r\x1b\[Kreading .*big\.pcap: \d+% /);
    assert.ok(doctor.err.endsWith('\r\x1b[K'), 'the line is cleared at the end');
    assert.doesNotMatch(
      (await tcpscope(['doctor', '--pcap', big, '--json', '--fail-on', 'never'])).err,
      /reading/,
    );
    // On threads too (the workers say how far they have read once a batch), on a terminal of script(1).
    for (const args of [
      ['pcap', big, '--json'],
      ['doctor', '--pcap', big, '--json', '--fail-on', 'never'],
    ]) {
      const r = spawnSync(
        'script',
        ['-qec', `${process.execPath} ${BIN} ${args.join(' ')} --threads 2 >/dev/null`, '/dev/null'],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\r\x1b\[Kreading .*big\.pcap: \d+% /, args.join(' '));
    }
  });

  it('lists every connection with both ends at the end of the capture', async () => {
    const r = await tcpscope(['pcap', LO]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(
      lines[0]!,
      /^ID\s+START\s+DURATION\s+CLIENT\s+SERVER\s+CLIENT STATE\s+SERVER STATE\s+CONN\s+HISTORY/,
    );
    assert.equal(lines.length, 6, 'four echo connections and one refused');
    assert.match(r.out, /127\.0\.0\.1:\d+\s+127\.0\.0\.1:\d+\s+TIME_WAIT\s+CLOSE\s+SF\s+ShADadFf/);
    assert.match(r.out, /\[::1\]:\d+\s+\[::1\]:\d+\s+TIME_WAIT\s+CLOSE\s+SF/);
    assert.match(r.out, /127\.0\.0\.1:1\s+CLOSE\s+CLOSE\s+REJ\s+Sr\s.*server RST/);
  });

  it('writes the JSON contract: each end with its states in order, Zeek code and history', async () => {
    const j = JSON.parse((await tcpscope(['pcap', LO, '--json'])).out);
    assert.equal(j.connections.length, 5);
    const c = j.connections[0];
    assert.deepEqual(c.client.states, ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT']);
    assert.deepEqual(c.server.states, ['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE']);
    assert.equal(c.connState, 'SF');
    assert.deepEqual(c.firstClose, { end: 'client', how: 'FIN' });
    assert.match(c.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.equal(typeof c.durationMs, 'number');
    const refused = j.connections.find((x: { server: { port: number } }) => x.server.port === 1);
    assert.deepEqual(refused.server.states, ['CLOSE']);
    assert.equal(refused.connState, 'REJ');
    assert.equal(j.skipped.corrupt, 0);
  });

  it('--at: what netstat would have shown then (an offset or an ISO time)', async () => {
    const mid = JSON.parse((await tcpscope(['pcap', LO, '--at', '+5ms', '--json'])).out);
    assert.equal(mid.total, 4, 'both ends of the two IPv4 connections');
    assert.deepEqual(mid.states, { ESTABLISHED: 4 });
    const end = JSON.parse((await tcpscope(['pcap', LO, '--json'])).out);
    const last = end.connections.at(-1).start;
    const later = JSON.parse((await tcpscope(['pcap', LO, '--at', last, '--json'])).out);
    // The refused connect's SYN has just left: its client is in SYN_SENT for 12 µs.
    assert.deepEqual(later.states, { SYN_SENT: 1, TIME_WAIT: 4 });
    const text = (await tcpscope(['pcap', LO, '--at', '+5ms'])).out;
    assert.match(text, /^STATE\s+COUNT\nESTABLISHED\s+4\nTOTAL\s+4\n\nID/);
    // A moment the capture did not see is said to be one.
    const late = await tcpscope(['pcap', LO, '--at', '+100s', '--by', 'state']);
    assert.match(
      late.err,
      /^tcpscope: --at \S+ is after the capture's last packet \(\S+\): each end as the capture left it$/m,
    );
    const early = await tcpscope(['pcap', LO, '--at', '2000-01-01T00:00:00Z', '--by', 'state']);
    assert.match(early.err, /is before the capture's first packet \(\S+\): no connection yet$/m);
    assert.doesNotMatch((await tcpscope(['pcap', LO, '--at', '+5ms'])).err, /capture's (first|last) packet/);
  });

  it('--by port and the filters of ls', async () => {
    const j = JSON.parse((await tcpscope(['pcap', LO, '--by', 'port', '--json'])).out);
    assert.equal(j.by, 'port');
    assert.equal(j.rows.length, 2, 'the refused connection left no socket');
    assert.deepEqual(j.rows[0].states, { TIME_WAIT: 2 });
    const v6 = JSON.parse((await tcpscope(['pcap', LO, '-6', '--json'])).out);
    assert.equal(v6.connections.length, 2);
    const tw = JSON.parse(
      (await tcpscope(['pcap', LO, '-s', 'time-wait', '--dport', '1-1024', '--json'])).out,
    );
    assert.equal(tw.connections.length, 0);
    const r = await tcpscope(['pcap', LO, '--pid', '1']);
    assert.equal(r.code, 2, 'a capture has no processes');
  });

  it('--timeline: the ladder of one connection, as text, SVG and JSON', async () => {
    const text = (await tcpscope(['pcap', LO, '--timeline', '1'])).out;
    assert.match(text, /^Connection 1: 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+ \(1\)/);
    assert.match(text, /SYN_SENT\s+--> <SEQ=\d+><CTL=SYN>\s+-->\s+SYN_RECV/);
    assert.match(text, /final: 127\.0\.0\.1:\d+ TIME_WAIT, 127\.0\.0\.1:\d+ CLOSE/);
    const svg = join(dir, 'c1.svg');
    const r = await tcpscope(['pcap', LO, '--timeline', '1', '-o', svg]);
    assert.match(r.err, /wrote .*c1\.svg \(svg, 14 steps\)/);
    assert.match(readFileSync(svg, 'utf8'), /^<svg[^>]*>.*<polygon class="c2s-t arrowhead"/s);
    const j = JSON.parse((await tcpscope(['pcap', LO, '--timeline', '1', '--json'])).out);
    assert.equal(j.connection, '1');
    assert.equal(j.steps[0].kind, 'seen');
    assert.deepEqual(j.final, { client: 'TIME_WAIT', server: 'CLOSE' });
    assert.equal((await tcpscope(['pcap', LO, '--timeline', '99'])).code, 2);
  });

  it('answers bad input with one line and exit 2', async () => {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'not a capture at all, just text\n');
    const r = await tcpscope(['pcap', junk]);
    assert.equal(r.code, 2);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal((await tcpscope(['pcap', join(dir, 'missing.pcap')])).code, 2);
    assert.equal((await tcpscope(['pcap', LO, '--at', 'yesterday'])).code, 2);
    assert.equal((await tcpscope(['pcap', LO, '--by', 'process'])).code, 2);
  });

  it('from standard input, Ctrl-C ends the capture and what was read is reported (tcpdump -w - | tcpscope pcap -)', async () => {
    for (const args of [
      ['pcap', '-'],
      ['doctor', '--pcap', '-', '--json'],
    ]) {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
      });
      const exit = once(child, 'close');
      child.stdin.write(readFileSync(LO));
      // Ctrl-C once tcpscope takes it (SIGINT among the signals it catches), then tcpdump's end.
      const deadline = Date.now() + 20_000;
      while (!catchesSigint(child.pid!)) {
        assert.ok(Date.now() < deadline, 'tcpscope never caught SIGINT');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGINT');
      child.stdin.end();
      const [code] = await exit;
      assert.equal(code, 0, args.join(' '));
      if (args[0] === 'pcap') assert.equal(out.trim().split('\n').length, 6, out);
      else assert.equal(JSON.parse(out).connections, 5);
    }
  });

  it('refuses a flag it would ignore: one without the flag it goes with, or one asking for another output', async () => {
    for (const [args, said] of [
      [
        ['pcap', LO, '--timeline', '1', '--by', 'state'],
        /'--timeline <id>' cannot be used with option '--by <key>'/,
      ],
      [['pcap', LO, '--timeline', '1', '--at', '+0s'], /cannot be used with option '--at <time>'/],
      [['pcap', LO, '--timeline', '1', '--port', '80'], /cannot be used with option '--port <list>'/],
      [['pcap', LO, '--by', 'state', '--format', 'svg'], /^tcpscope: --format goes with --timeline$/],
      [['pcap', LO, '-o', join(dir, 'x.svg')], /^tcpscope: --output goes with --timeline$/],
      [['pcap', LO, '--theme', 'dark'], /^tcpscope: --theme goes with --timeline$/],
      [['pcap', LO, '--no-why'], /^tcpscope: --no-why goes with --timeline$/],
      [['pcap', LO, '--top', '3'], /^tcpscope: --top goes with --by$/],
      [['doctor', '--threads', '2'], /^tcpscope: --threads goes with --pcap$/],
      [['doctor', '--pcap', LO, '--now'], /'--pcap <file>' cannot be used with option '--now'/],
      [['doctor', '--pcap', LO, '--window', '5'], /cannot be used with option '--window <seconds>'/],
      [['doctor', '--pcap', LO, '--set', 'syn-flood.warning=1'], /cannot be used with option '--set/],
      [['doctor', '--pcap', LO, '--netns', 'blue'], /cannot be used with option '--netns <name>'/],
      [['doctor', '--pcap', LO, '--baseline', LO], /cannot be used with option '--baseline <file>'/],
    ] as const) {
      const r = await tcpscope([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.out, '', args.join(' '));
      assert.match(r.err.trim().split('\n')[0]!, said, args.join(' '));
    }
    // With the flag they go with, the same flags work.
    assert.equal((await tcpscope(['pcap', LO, '--by', 'state', '--top', '1'])).code, 0);
    assert.equal((await tcpscope(['pcap', LO, '--timeline', '1', '--no-why'])).code, 0);
    assert.equal((await tcpscope(['pcap', LO, '--timeline', '1', '-f', 'svg', '--theme', 'dark'])).code, 0);
    assert.equal((await tcpscope(['pcap', LO, '--at', '+0s', '--by', 'state'])).code, 0);
    assert.equal((await tcpscope(['doctor', '--pcap', LO, '--threads', '1', '--json'])).code, 0);
  });

  it('doctor --pcap on a capture with only a note to make says so, not "no findings"', async () => {
    const r = await tcpscope(['doctor', '--pcap', LO]);
    assert.equal(r.code, 0);
    const lines = r.out.split('\n');
    assert.equal(lines[1], 'Nothing looks wrong: 1 finding(s) below for information only.');
    assert.match(r.out, /^INFO +connect-failures +1 connects to 127\.0\.0\.1:1 refused/m);
  });

  it('--threads: the flows shared between threads give what one thread gives, numbered the same', async () => {
    // Two rounds of the same 600 connections, 70 s apart: the first round is done during the
    // second (a minute of quiet), whose connections reuse its 4-tuples.
    const round = synthetic(600, 2, 7);
    const recs: Rec[] = [];
    for (const shift of [0, 70_000_000])
      for (const p of round) {
        const us = p.timeUs + shift;
        const ip = ipPacket({ ...p, window: p.window || 512 });
        recs.push({ data: frame('ethernet', ip), sec: Math.floor(us / 1e6), frac: us % 1e6 });
      }
    const rounds = join(dir, 'rounds.pcap');
    writeFileSync(rounds, pcapFile(recs));
    const sorted = (out: string) => {
      const j = JSON.parse(out);
      j.connections.sort((a: { id: number }, b: { id: number }) => a.id - b.id);
      return j;
    };
    // The built CLI, which has its worker program beside it.
    const run = (args: string[]) => {
      const r = built(args);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /missing/);
      return r.stdout;
    };
    for (const file of [rounds, LO, join(FIXTURES, 'any.pcap'), join(FIXTURES, 'lo.pcapng')]) {
      const one = run(['pcap', file, '--json', '--threads', '1']);
      for (const threads of ['2', '3'])
        assert.deepEqual(
          sorted(run(['pcap', file, '--json', '--threads', threads])),
          sorted(one),
          `${file} on ${threads} threads`,
        );
    }
    const one = sorted(run(['pcap', rounds, '--json', '--threads', '1']));
    assert.equal(one.connections.length, 1200);
    assert.deepEqual(
      one.connections.map((c: { id: number }) => c.id),
      Array.from({ length: 1200 }, (_, i) => i + 1),
    );
    for (const extra of [
      ['--by', 'state'],
      ['--by', 'port'],
      ['--at', '+75s'],
      ['--by', 'peer', '--at', '+75s'],
      ['-s', 'time-wait', '--port', '1024-1100'],
    ]) {
      const a = run(['pcap', rounds, '--json', '--threads', '1', ...extra]);
      const b = run(['pcap', rounds, '--json', '--threads', '2', ...extra]);
      const norm = (o: string) => (extra[0] === '--by' || extra[0] === '--at' ? JSON.parse(o) : sorted(o));
      assert.deepEqual(norm(b), norm(a), extra.join(' '));
    }
    // The tables too (the workers make the listing's cells, or count): the same rows, whatever the
    // columns' widths.
    const rows = (o: string) =>
      o
        .split('\n')
        .map((l) => l.replace(/ +/g, ' ').trim())
        .filter((l) => l !== '')
        .sort();
    for (const extra of [
      [],
      ['--at', '+75s'],
      ['--by', 'peer'],
      ['-s', 'close-wait,time-wait', '--sport', '1024-1100'],
    ]) {
      const a = rows(run(['pcap', rounds, '--threads', '1', ...extra]));
      assert.ok(a.length > 3, `${extra.join(' ')}: ${a.length} lines`);
      assert.deepEqual(rows(run(['pcap', rounds, '--threads', '2', ...extra])), a, extra.join(' '));
    }
    // Run in-process from the compiled sources, there is no worker program: one thread, and it says so.
    const here = await tcpscope(['pcap', LO, '--json', '--threads', '2']);
    assert.equal(here.code, 0, here.err);
    assert.match(here.err, /worker program .* is missing: one thread/);
    const bad = await tcpscope(['pcap', rounds, '--threads', 'many']);
    assert.equal(bad.code, 2);
    // A file that is no capture: one line and exit 2 on threads, as on one.
    const junk = join(dir, 'junk-threads.pcap');
    writeFileSync(junk, 'not a capture at all, just text\n');
    for (const args of [
      ['pcap', junk],
      ['pcap', junk, '--json'],
      ['doctor', '--pcap', junk],
    ]) {
      const one = built([...args, '--threads', '1']);
      const two = built([...args, '--threads', '2']);
      assert.equal(one.status, 2, one.stderr);
      assert.equal(two.status, 2, two.stderr);
      assert.equal(two.stderr, one.stderr);
      assert.equal(two.stderr.trim().split('\n').length, 1, two.stderr);
    }
  });
});
