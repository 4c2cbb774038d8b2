import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyScenario } from '../../src/lab/apply.js';
import { withNetns } from '../../src/lab/netns.js';
import { BIN, tcpscope } from '../helpers/cli.js';

const COMMANDS = [
  'ls',
  'count',
  'who',
  'explain',
  'kill',
  'doctor',
  'stat',
  'counters',
  'diagram',
  'simulate',
  'pcap',
  'lab',
];

/** A /proc of its own whose net/tcp is the recorded FIXTURE and net/tcp6 the recorded one (removed by the caller). */
function fakeProc(fixture: string): string {
  const root = mkdtempSync(join(tmpdir(), 'tcps-proc-'));
  const fixtures = fileURLToPath(new URL('../../../test/fixtures/procfs/', import.meta.url));
  mkdirSync(join(root, 'net'));
  copyFileSync(join(fixtures, fixture), join(root, 'net/tcp'));
  copyFileSync(join(fixtures, 'tcp6'), join(root, 'net/tcp6'));
  return root;
}

describe('CLI conventions', () => {
  it('gives --help with examples for the program and every command, exit 0', () => {
    for (const args of [
      ['--help'],
      ...COMMANDS.map((c) => [c, '--help']),
      ...COMMANDS.map((c) => ['help', c]),
    ]) {
      const r = tcpscope(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /Examples:/, args.join(' '));
    }
  });

  it('answers a bad flag or state with one line on stderr and exit 2', () => {
    for (const args of [
      ['ls', '--bogus'],
      ['ls', '-s', 'nope'],
      ['count', '--by', 'colour'],
      ['ls', '--port', '70000'],
      ['ls', '--src', '300.1.1.1'],
      ['ls', '--sort', 'size'],
      ['who', 'not-a-port'],
      ['help', 'nope'],
      ['explain', 'no-such-state'],
      ['explain', '--lang', 'klingon'],
      ['ls', '--netns', 'no-such-namespace-here'],
      ['ls', '--netns-pid', 'x'],
      ['ls', '--all-netns', '--netns', 'x'],
    ]) {
      const r = tcpscope(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${args.join(' ')}`);
    }
    assert.match(
      tcpscope(['ls', '-s', 'nope']).stderr,
      /unknown state 'nope': valid are ESTABLISHED, SYN_SENT/,
    );
  });

  it('refuses a flag it would ignore: one without the flag it goes with, or with one asking for another output', () => {
    const fixture = fileURLToPath(new URL('../../../test/fixtures/capture/lo.pcap', import.meta.url));
    for (const [args, said] of [
      [['count', '--top', '3'], /^tcpscope: --top goes with --by$/],
      [['ls', '--reverse'], /^tcpscope: --reverse goes with --sort$/],
      [['ls', '--summary', '--port', '22'], /'--summary' cannot be used with option '--port <list>'/],
      [['ls', '--summary', '-p'], /'--summary' cannot be used with option '-p, --processes'/],
      [['ls', '--csv', '--json'], /'--csv' cannot be used with option '--json'/],
      [['ls', '-H', '--json'], /'-H, --no-header' cannot be used with option '--json'/],
      [['counters', '--reset'], /^tcpscope: --reset goes with --delta$/],
      [['counters', '--sysctl', '-d'], /'--sysctl' cannot be used with option '-d, --delta'/],
      [['counters', '--sysctl', 'TcpExtListenDrops'], /^tcpscope: --sysctl shows every TCP sysctl/],
      [['counters', '--source', 'procfs'], /unknown option '--source'/],
      [['report', '--top', '3'], /^tcpscope: --top goes with --at$/],
      [['doctor', '--now', '--window', '5'], /'--now' cannot be used with option '--window <seconds>'/],
      [['doctor', '--save-baseline', '/nonexistent/b.json', '--json'], /cannot be used with option '--json'/],
      [
        ['diagram', '--json', '-o', '/nonexistent/d.svg'],
        /'--json' cannot be used with option '-o, --output/,
      ],
      [
        ['simulate', 'half-close', '--print', '-o', '/nonexistent/x'],
        /'--print' cannot be used with option '-o/,
      ],
      [['simulate', '--list', '-f', 'svg'], /'--list' cannot be used with option '-f, --format/],
      [
        ['simulate', '--list', 'half-close'],
        /^tcpscope: 'half-close': name a scenario, or give --script or --list/,
      ],
      [['simulate', 'half-close', '--script', fixture], /not both$/],
      [
        ['simulate', 'half-close', '--json', '-f', 'svg'],
        /'--json' cannot be used with option '-f, --format/,
      ],
      [['pcap', fixture, '--timeline', '1', '--json', '-f', 'svg'], /cannot be used with option '--json'/],
      [['trace', '--sampled', '--text'], /'--sampled' cannot be used with option '--text'/],
      [
        ['trace', '--sampled', '--events', 'all'],
        /'--events <which>' cannot be used with option '--sampled'/,
      ],
      [['life', '--sampled', '--tables', '500'], /'--tables <ms>' cannot be used with option '--sampled'/],
      [['watch', '--port', '22', '--count', '1'], /^tcpscope: --port: the connections listed on a terminal/],
      [['watch', '--select', 'listen', '--count', '1'], /^tcpscope: --select: the connections listed/],
      [['explain', '--topic'], /^tcpscope: --topic: name the topic/],
      [['--top', 'many'], /^tcpscope: --top: 'many' is not a whole number/],
      [
        ['kill', '--source', 'procfs', '--port', '1'],
        /^tcpscope: --source procfs: kill closes sockets through netlink/,
      ],
      [['diagram', '-f', 'mermaid', '--theme', 'dark'], /^tcpscope: --theme: the colours of the SVG diagram/],
      [['simulate', 'half-close', '--theme', 'dark'], /^tcpscope: --theme: the colours of the SVG ladder/],
      [
        ['simulate', 'half-close', '-f', 'svg', '--no-why'],
        /^tcpscope: --no-why: the text ladder's explanations/,
      ],
      [['pcap', fixture, '--timeline', '1', '--json', '--no-why'], /^tcpscope: --no-why: the text ladder's/],
    ] as const) {
      const r = tcpscope([...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr.split('\n')[0]!, said, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${args.join(' ')}`);
    }
  });

  it('answers a directory, a missing folder or an unreadable file given as a file with one line and exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcps-files-'));
    try {
      const secret = join(dir, 'secret.pcap');
      copyFileSync(fileURLToPath(new URL('../../../test/fixtures/capture/lo.pcap', import.meta.url)), secret);
      chmodSync(secret, 0o600);
      for (const [args, said, user] of [
        [['pcap', dir], `tcpscope: ${dir}: is a directory`],
        [['doctor', '--pcap', dir], `tcpscope: ${dir}: is a directory`],
        [['doctor', '--now', '--save-baseline', join(dir, 'no/such/b.json')], `: not found`],
        [['doctor', '--now', '--save-baseline', dir], `tcpscope: ${dir}: is a directory`],
        [['pcap', secret], `tcpscope: ${secret}: permission denied`, 'nobody'],
      ] as const) {
        const r = tcpscope([...args], user ? { user } : {});
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.ok(r.stderr.trim().endsWith(said), r.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('watch reads the socket table the way --source says', async () => {
    // A /proc whose tables are a recorded host's: read from there with procfs, never with netlink.
    const root = fakeProc('tcp');
    try {
      for (const f of ['snmp', 'snmp6', 'netstat', 'sockstat', 'sockstat6'])
        copyFileSync(join('/proc/net', f), join(root, 'net', f));
      const recorded = tcpscope(['count', '--json', '--source', 'procfs', '--proc-root', root]);
      const total = (JSON.parse(recorded.stdout) as { total: number }).total;
      assert.ok(total > 0, recorded.stderr);
      await withNetns('tcps-source', async (ns) => {
        const watch = (source: string): string =>
          tcpscope(['watch', '--count', '1', '--no-trace', '--source', source, '--proc-root', root], {
            netns: ns.name,
          }).stdout.split('\n')[0]!;
        // The namespace is new: netlink finds no socket in it.
        assert.match(watch('netlink'), / 0 sockets$/);
        assert.match(watch('procfs'), new RegExp(` ${total} sockets$`));
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('stays quiet and exits 0 when stdout is closed early (tcpscope ls | head -1)', async () => {
    // Output well past a pipe's 64 KiB buffer, so the writes really meet a closed pipe.
    await withNetns('tcps-epipe', async (ns) => {
      const items = Array.from({ length: 500 }, (_, i) => ({
        kind: 'established' as const,
        family: 6 as const,
        port: 20000 + i,
      }));
      const sc = await applyScenario(ns, { items });
      try {
        const size = await ns.exec([process.execPath, BIN, 'ls', '-p', '-o', '-e']);
        assert.ok(size.length > 100_000, `${size.length} bytes`);
        for (const cmd of [
          'ls -p -o -e | head -1',
          'ls --json | head -c 10',
          'ls --csv | head -2',
          'count --by peer --top 1 | head -1',
        ]) {
          const [args, reader] = cmd.split(' | ');
          const script = `node ${BIN} ${args} | ${reader} >/dev/null`;
          const r = spawnSync('ip', ['netns', 'exec', ns.name, 'bash', '-o', 'pipefail', '-c', script], {
            encoding: 'utf8',
          });
          assert.equal(r.status, 0, `${cmd}: exit ${r.status}`);
          assert.equal(r.stderr, '', cmd);
        }
      } finally {
        await sc.stop();
      }
    });
  });

  it('prints no colour on a pipe', () => {
    const r = tcpscope([]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
  });

  it('prints the version', () => {
    assert.match(tcpscope(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('bad proc input', () => {
  it('skips malformed lines with one warning, keeps the rest, exits 0', () => {
    const root = fakeProc('tcp.malformed');
    try {
      const r = tcpscope(['ls', '--json', '--proc-root', root]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /^tcpscope: 2 malformed line\(s\) skipped, the first.*net\/tcp line 3: /);
      const snap = JSON.parse(r.stdout) as { sockets: unknown[]; malformed: number };
      assert.equal(snap.malformed, 2);
      assert.ok(snap.sockets.length >= 10);
      const count = tcpscope(['count', '--json', '--proc-root', root]);
      assert.equal(count.status, 0);
      assert.match(count.stderr, /2 malformed line\(s\)( or message\(s\))? skipped/);
      const missing = tcpscope(['ls', '--proc-root', join(root, 'nowhere')]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /^tcpscope: .*nowhere\/net\/tcp: not found\n$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
