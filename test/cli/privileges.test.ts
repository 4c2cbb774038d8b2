/**
 * Every command as a normal user: `nobody`, no capabilities, inside a namespace of the test's own
 * where root holds a listener and a connection. Each command either works with what it can see, or
 * says in one line what it lacks and what would give it (root, a capability, tcpdump's own); never a
 * stack trace, never exit 3.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningAgent, startServer } from '../helpers/agent.js';
import { BIN } from '../helpers/cli.js';
import { type Holder, makeNetns, startHolder, type TestNetns } from '../helpers/netns.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--'];
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/capture/lo.pcap');
/** The holder's listener that answers a FIN with its own (test/helpers/holder.ts `states`). */
const PORT = 7001;

interface Case {
  /** Its arguments, or how to make them from the test namespace's name. */
  args: string[] | ((ns: string) => string[]);
  /** Exit codes that are right for it. */
  codes: number[];
  /** What it must say (what it lacks and what would give it), when it lacks something: on stderr, or on stdout with `inReport`. */
  says?: RegExp;
  inReport?: true;
}

describe('every command as a normal user', { timeout: 180_000 }, () => {
  let ns: TestNetns;
  let holder: Holder;
  // A home and files nobody may write and read.
  const home = mkdtempSync(join(tmpdir(), 'tcpscope-nobody-'));
  chmodSync(home, 0o777);
  const capture = join(home, 'lo.pcap');
  copyFileSync(FIXTURE, capture);
  chmodSync(capture, 0o644);
  const db = join(home, 'history.db');

  before(async () => {
    ns = makeNetns('nobody');
    holder = await startHolder(ns, ['states']);
  });
  after(() => {
    holder?.stop();
    ns?.delete();
    rmSync(home, { recursive: true, force: true });
  });

  const asNobody = (args: string[], timeout = 30_000) =>
    spawnSync('ip', ['netns', 'exec', ns.name, ...NOBODY, process.execPath, BIN, ...args], {
      encoding: 'utf8',
      timeout,
      env: { ...process.env, HOME: home, NO_COLOR: '1' },
    });

  const cases: Case[] = [
    { args: [], codes: [0], says: /could not be inspected: run as root to see their sockets' owners/ },
    { args: ['ls'], codes: [0] },
    { args: ['ls', '-p'], codes: [0], says: /run as root to see their sockets' owners/ },
    { args: ['count'], codes: [0] },
    { args: ['who', String(PORT)], codes: [0, 1], says: /run as root/ },
    { args: ['kill', '--port', String(PORT), '--yes'], codes: [2], says: /CAP_NET_ADMIN|root/ },
    { args: ['stat', '0.2', '1'], codes: [0] },
    { args: ['counters'], codes: [0] },
    { args: ['counters', '--sysctl'], codes: [0] },
    { args: ['watch', '--count', '2', '-n', '0.2'], codes: [0] },
    { args: ['record', '--count', '2', '--interval', '1', '--db', db], codes: [0] },
    { args: ['report', '--db', db], codes: [0] },
    {
      args: ['trace', '--duration', '0.3'],
      codes: [0],
      says: /tracefs.*(run as root|not mounted).*sampling/,
    },
    { args: ['life', '--duration', '0.3'], codes: [0], says: /sampling/ },
    { args: ['explain', 'CLOSE_WAIT'], codes: [0] },
    {
      args: ['doctor', '--now'],
      codes: [0, 1],
      says: /owners of other users' sockets are hidden.*run as root/,
      inReport: true,
    },
    { args: ['doctor', '--pcap', capture], codes: [0, 1] },
    { args: ['diagram'], codes: [0] },
    { args: ['simulate', 'normal-close'], codes: [0] },
    { args: ['pcap', capture], codes: [0] },
    {
      args: ['capture', '--duration', '1'],
      codes: [2],
      says: /not permitted: run as root, or give tcpdump CAP_NET_RAW/,
    },
    { args: ['lab', 'list'], codes: [0] },
    { args: ['lab', 'run', 'close-wait'], codes: [2], says: /needs root/ },
    { args: (name) => ['ls', '--netns', name], codes: [2], says: /root|CAP_SYS_ADMIN/ },
  ];

  for (const c of cases) {
    it(`tcpscope ${typeof c.args === 'function' ? c.args('NS').join(' ') : c.args.join(' ') || '(the overview)'}`, () => {
      // The namespace's name is known only once it exists.
      const args = typeof c.args === 'function' ? c.args(ns.name) : c.args;
      const r = asNobody(args);
      assert.equal(r.error, undefined, `${args.join(' ')}: ${r.error?.message}`);
      assert.ok(c.codes.includes(r.status ?? -1), `exit ${r.status} (${c.codes.join(' or ')}): ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      if (c.says) assert.match(c.inReport ? r.stdout : r.stderr, c.says);
      if (r.status === 2) assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    });
  }

  it("says when /proc hides other users' processes (hidepid) and who may see them", () => {
    // A /proc of its own with hidepid=2, in a mount namespace of its own.
    const hide = ['unshare', '-m', '--propagation', 'private', 'sh', '-c'];
    const script = 'mount -t proc -o hidepid=2,gid=4 proc /proc && exec "$0" "$@"';
    const run = (groups: string[]) =>
      spawnSync(
        'ip',
        [
          ...['netns', 'exec', ns.name, ...hide, script],
          ...['setpriv', '--reuid=65534', '--regid=65534', ...groups, '--'],
          ...[process.execPath, BIN, 'ls', '-p', '--json'],
        ],
        { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: home } },
      );
    const hidden = run(['--clear-groups']);
    assert.equal(hidden.status, 0, hidden.stderr);
    assert.match(
      hidden.stderr,
      /held by processes \/proc hides \(mounted with hidepid=(2|invisible)\): run as root, or as a member of group 4/,
    );
    const unseen = JSON.parse(hidden.stdout).unseen;
    assert.equal(unseen.gid, 4);
    assert.ok(unseen.sockets > 0, "the holder's sockets");
    // In the mount's group every process is listed again: the usual message, no hidepid.
    const member = run(['--groups=4']);
    assert.equal(member.status, 0, member.stderr);
    assert.doesNotMatch(member.stderr, /hidepid/);
    assert.equal(JSON.parse(member.stdout).unseen.hidepid, undefined);
  });

  for (const command of ['serve', 'agent']) {
    it(`tcpscope ${command} serves as nobody, and says owners are hidden`, async () => {
      let s: RunningAgent | undefined;
      try {
        s = await startServer(
          ns,
          command,
          ['--listen', `127.0.0.1:${command === 'serve' ? 9465 : 9466}`],
          NOBODY,
        );
        assert.equal(await s.stop('SIGTERM'), 0, s.stderr());
        assert.doesNotMatch(s.stderr(), /^\s+at /m);
      } finally {
        if (s && s.child.exitCode === null) await s.stop('SIGKILL');
      }
    });
  }
});
