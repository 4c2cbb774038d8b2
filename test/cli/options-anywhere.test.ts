import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tcpscope } from '../helpers/cli.js';
import { holdInNetns } from '../helpers/netns.js';

/** stdout of a run that must succeed. */
function ok(args: string[]): string {
  const r = tcpscope(args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A run that must be refused as a usage error: one line, exit 2, nothing on stdout. */
function refused(args: string[], message: RegExp): void {
  const r = tcpscope(args);
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', args.join(' '));
  assert.match(r.stderr, message, args.join(' '));
}

describe('options before the command', () => {
  const held = holdInNetns(['states']);

  it('--netns and --netns-pid read that namespace, before the command as after it', () => {
    const inside = ok(['count', '--json', '--netns', held.ns.name]);
    assert.notEqual(inside, ok(['count', '--json']), 'the namespace is not the host');
    assert.equal(ok(['--netns', held.ns.name, 'count', '--json']), inside);
    assert.equal(ok(['--netns', held.ns.name, '--json', 'count']), inside);
    assert.equal(ok([`--netns=${held.ns.name}`, 'count', '--json']), inside);
    assert.equal(ok(['--netns-pid', String(held.holder.pid), 'count', '--json']), inside);
    assert.equal(ok(['--source', 'procfs', '--netns', held.ns.name, 'count', '--json']), inside);
  });

  it('a command option typed first goes to the command', () => {
    const sockets = (args: string[]): unknown => JSON.parse(ok(args)).sockets;
    const listeners = sockets(['ls', '-l', '--json', '--netns', held.ns.name]);
    assert.deepEqual(sockets(['-l', '--netns', held.ns.name, 'ls', '--json']), listeners);
    assert.deepEqual(sockets(['-s', 'listen', '--netns', held.ns.name, 'ls', '--json']), listeners);
    assert.equal(
      ok(['--by', 'port', '--netns', held.ns.name, 'count', '--json']),
      ok(['count', '--json', '--by', 'port', '--netns', held.ns.name]),
    );
  });

  it('doctor runs where --netns says (a namespace that does not exist is an error, not the host)', () => {
    refused(['--netns', 'tcps-no-such-namespace', 'doctor', '--now'], /tcps-no-such-namespace/);
    refused(['--netns', 'tcps-no-such-namespace', 'count'], /tcps-no-such-namespace/);
  });

  it('--lang before explain speaks that language', () => {
    const zh = ok(['explain', 'time-wait', '--lang', 'zh']);
    assert.match(zh, /\p{Script=Han}/u);
    assert.equal(ok(['--lang', 'zh', 'explain', 'time-wait']), zh);
    assert.equal(ok(['--lang', 'en', 'explain', 'time-wait']), ok(['explain', 'time-wait', '--lang', 'en']));
  });

  it('--help before a command is the command help', () => {
    assert.equal(ok(['--help', 'count']), ok(['count', '--help']));
    assert.equal(ok(['--help', 'lab', 'run']), ok(['lab', 'run', '--help']));
  });

  it('an option the command does not take is refused, wherever it is typed', () => {
    refused(['--lang', 'zh', 'count'], /unknown option '--lang'/);
    refused(['count', '--lang', 'zh'], /unknown option '--lang'/);
    refused(['--json', 'simulate', '--list', '--netns', 'x'], /unknown option '--netns'/);
    refused(['--netns', 'x', 'explain'], /unknown option '--netns'/);
    refused(['--json', 'lab', 'run', 'time-wait', '--hold', 'x'], /--hold/);
  });

  it('an unknown command says so and names the closest one', () => {
    refused(['frobnicate'], /^tcpscope: unknown command 'frobnicate'/);
    refused(['cuont'], /unknown command 'cuont': did you mean 'count'\?/);
    refused(['--json', 'docter'], /unknown command 'docter': did you mean 'doctor'\?/);
    refused(['--netns', held.ns.name, 'lss'], /unknown command 'lss': did you mean 'ls'\?/);
  });
});
