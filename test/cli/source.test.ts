import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NetnsRef, Socket } from '../../src/tcp/socket.js';
import { BIN, tcpscopeJson } from '../helpers/cli.js';
import { holdInNetns } from '../helpers/netns.js';

describe('--source auto without netlink', () => {
  // The bundle alone, away from node_modules: koffi cannot be loaded, as on a machine without its binary.
  let dir: string;
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(dir, 'tcpscope.mjs'), ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcpscope-nokoffi-'));
    cpSync(dirname(BIN), dir, { recursive: true }); // the bundle and its chunks
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('falls back to procfs with one notice', () => {
    const r = run(['ls', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).source, 'procfs');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^tcpscope: netlink unavailable \(netlink: cannot load koffi .*\): reading \/proc\/net\/tcp instead$/,
    );
    assert.equal(run(['count']).status, 0);
  });

  it('fails with one line when netlink is asked for', () => {
    const r = run(['ls', '--source', 'netlink']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tcpscope: netlink: cannot load koffi/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('never needs koffi for --version and --help', () => {
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
    assert.equal(run(['ls', '--help']).status, 0);
  });

  it('rejects an unknown source', () => {
    const r = run(['ls', '--source', 'carrier-pigeon']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--source: unknown source 'carrier-pigeon': valid are auto, netlink, procfs/);
  });
});

describe('ls --all-netns', () => {
  const held = holdInNetns(['states']);

  it('streams ls --json with the same sockets as the record path (--sort takes that path)', () => {
    for (const extra of [[], ['-s', '!listen'], ['--dport', '7001-7003'], ['-6']]) {
      const streamed = tcpscopeJson<{ sockets: Socket[]; netns: NetnsRef }>([
        'ls',
        '--netns',
        held.ns.name,
        ...extra,
      ]);
      const records = tcpscopeJson<{ sockets: Socket[]; netns: NetnsRef }>([
        'ls',
        '--netns',
        held.ns.name,
        '--sort',
        'local',
        ...extra,
      ]);
      const key = (x: Socket): string => JSON.stringify([x.local, x.remote, x.state]);
      const norm = (l: Socket[]) =>
        l
          .map((x) => ({ ...x, timer: { ...x.timer!, expiresMs: 0 } }))
          .sort((a, b) => key(a).localeCompare(key(b)));
      assert.ok(streamed.sockets.length > 0, extra.join(' '));
      assert.deepEqual(norm(streamed.sockets), norm(records.sockets), extra.join(' '));
      assert.deepEqual(streamed.netns, records.netns);
    }
  });

  it('lists every namespace, each socket with its own', () => {
    const r = tcpscopeJson<{ namespaces: NetnsRef[]; sockets: Socket[] }>(['ls', '--all-netns', '-l']);
    const mine = r.namespaces.find((n) => n.name === held.ns.name);
    assert.ok(mine, 'the test namespace is listed');
    const here = r.sockets.filter((s) => s.netns?.inode === mine.inode);
    assert.deepEqual(
      here.map((s) => s.local.port).sort(),
      [held.holder.ports['v4'], held.holder.ports['v6'], held.holder.ports['dual']].sort(),
    );
    assert.ok(r.sockets.every((s) => s.netns !== undefined));
    assert.ok(r.namespaces.length >= 2);
  });
});
