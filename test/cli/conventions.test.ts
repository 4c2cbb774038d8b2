import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN, tcpscope } from '../helpers/cli.js';

const COMMANDS = ['ls', 'count', 'who', 'kill'];

describe('CLI conventions', () => {
  it('gives --help with examples for the program and every command, exit 0', () => {
    for (const args of [['--help'], ...COMMANDS.map((c) => [c, '--help'])]) {
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
      ['ls', '--netns', 'no-such-namespace-here'],
      ['ls', '--netns-pid', 'x'],
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

  it('stays quiet and exits 0 when stdout is closed early (tcpscope ls | head -1)', () => {
    const r = spawnSync('sh', ['-c', `node ${BIN} ls --json | head -c 1; node ${BIN} ls | head -1`], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
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
