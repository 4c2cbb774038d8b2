/**
 * The socket table against the kernel: every state the lab can hold, over IPv4 and IPv6, read by
 * `tcpscope ls/count/who` and by `ss -tanpH` in the same namespace, must agree socket for socket,
 * owner for owner; sockets nobody holds must be attributed as what they are.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyScenario, type Scenario, ssSockets } from '../../src/lab/apply.js';
import { createNetns, type Netns } from '../../src/lab/netns.js';
import { everyState, type HolderReport } from '../../src/lab/scenario.js';
import { parseSs, type SsSocket } from '../../src/lab/ss.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';
import { tcpscope, tcpscopeJson } from '../helpers/cli.js';
import { commOf, commPattern } from '../helpers/comm.js';

const key = (s: Pick<Socket, 'state' | 'local' | 'remote'>): string =>
  `${s.state} ${s.local.address}:${s.local.port} ${s.remote.address}:${s.remote.port}`;

/** ls and ss read one after the other: orphans may expire in between; both are read twice if so. */
async function readBoth(ns: Netns, args: string[]): Promise<{ ours: Snapshot; theirs: SsSocket[] }> {
  for (let attempt = 0; ; attempt++) {
    const before = (await ssSockets(ns)).map(key).sort();
    const ours = tcpscopeJson<Snapshot>(['ls', ...args], { netns: ns.name });
    const theirs = await ssSockets(ns);
    if (attempt === 2 || JSON.stringify(before) === JSON.stringify(theirs.map(key).sort()))
      return { ours, theirs };
  }
}

describe('ls, count and who against ss, every state, IPv4 and IPv6', { timeout: 120_000 }, () => {
  let ns: Netns;
  let scenario: Scenario;
  let report: HolderReport;

  before(async () => {
    ns = await createNetns('tcps-t2');
    scenario = await applyScenario(ns, everyState());
    report = scenario.report;
  });
  after(async () => {
    await scenario?.stop();
    await ns?.dispose();
  });

  for (const source of ['netlink', 'procfs'] as const) {
    it(`lists the same sockets in the same states, with the same queues (${source})`, async () => {
      const { ours, theirs } = await readBoth(ns, ['-p', '--source', source]);
      assert.equal(ours.source, source);
      assert.deepEqual(ours.sockets.map(key).sort(), theirs.map(key).sort());
      const byKey = new Map(ours.sockets.map((s) => [key(s), s]));
      for (const t of theirs) {
        const s = byKey.get(key(t))!;
        assert.equal(s.family, t.family, key(t));
        assert.equal(s.mapped, t.mapped, key(t));
        assert.equal(s.recvQ, t.recvQ, key(t));
        // A listener's Send-Q is its backlog: netlink has it as ss does, procfs does not.
        if (t.state !== 'LISTEN' || source === 'netlink') assert.equal(s.sendQ, t.sendQ, key(t));
      }
      for (const st of [
        'LISTEN',
        'ESTABLISHED',
        'SYN_SENT',
        'SYN_RECV',
        'TIME_WAIT',
        'CLOSE_WAIT',
        'FIN_WAIT1',
        'FIN_WAIT2',
        'LAST_ACK',
        'CLOSING',
      ]) {
        for (const family of [4, 6]) {
          assert.ok(
            ours.sockets.some((s) => s.state === st && s.family === family),
            `${st} over IPv${family}`,
          );
        }
      }
    });

    it(`names the same owners as ss -p, one entry per (pid, fd), and none for the others (${source})`, async () => {
      const { ours, theirs } = await readBoth(ns, ['-p', '--source', source]);
      const byKey = new Map(ours.sockets.map((s) => [key(s), s]));
      for (const t of theirs) {
        const s = byKey.get(key(t))!;
        const got = s.owners!.map((o) => `${o.pid}/${o.fd}/${o.command}`).sort();
        const want = t.owners!.map((o) => `${o.pid}/${o.fd}/${o.command}`).sort();
        assert.deepEqual(got, want, key(t));
        for (const o of s.owners!) assert.equal(o.user, 'root');
      }
      assert.deepEqual(ours.unseen, { processes: 0 });
    });
  }

  it('attributes requests, queued children, orphans and TIME_WAIT honestly', async () => {
    const { ours } = await readBoth(ns, ['-p']);
    const byKey = new Map(ours.sockets.map((s) => [key(s), s]));
    let checked = 0;
    for (const item of report.items) {
      for (const h of item.sockets) {
        const s = byKey.get(key(h));
        if (!s) continue; // an orphan that expired between reads
        checked++;
        if (h.owned) {
          assert.equal(s.attribution, undefined, key(h));
          continue;
        }
        assert.deepEqual(s.owners, [], key(h));
        const want =
          h.role === 'request'
            ? { kind: 'request', port: item.port, pid: report.pid, command: commOf(report.pid) }
            : h.role === 'queued'
              ? { kind: 'queued', port: item.port, pid: report.pid, command: commOf(report.pid) }
              : { kind: h.state === 'TIME_WAIT' ? 'timewait' : 'orphan' };
        assert.deepEqual(s.attribution, want, `${item.kind}: ${key(h)}`);
      }
    }
    assert.ok(checked > 40, `checked ${checked} sockets`);
  });

  it('reads timers as ss -o does, and uid and inode as ss -e', async () => {
    const ours = tcpscopeJson<Snapshot>(['ls'], { netns: ns.name });
    const theirs = parseSs(await ns.exec(['ss', '-tanoeH']), false);
    const byKey = new Map(ours.sockets.map((s) => [key(s), s]));
    let compared = 0;
    for (const t of theirs) {
      const s = byKey.get(key(t));
      if (!s) continue;
      compared++;
      assert.equal(s.inode, t.inode ?? 0, key(t));
      const kind =
        s.timer?.kind === 'retransmit' ? 'on' : s.timer?.kind === 'off' ? undefined : s.timer?.kind;
      assert.equal(kind, t.timer?.kind, key(t));
      // ours is read first: a retransmission may come between the two reads.
      if (t.timer) {
        const d = t.timer.retransmits - s.timer!.retransmits;
        assert.ok(
          d === 0 || d === 1,
          `${key(t)}: retransmits ${s.timer!.retransmits} vs ss ${t.timer.retransmits}`,
        );
      }
    }
    assert.ok(compared > 40);
  });

  it('takes ss state groups exactly as ss does', async () => {
    for (const group of ['all', 'connected', 'synchronized', 'bucket', 'big']) {
      const ours = tcpscopeJson<Snapshot>(['ls', '-s', group], { netns: ns.name }).sockets.map(key).sort();
      const theirs = parseSs(await ns.exec(['ss', '-tanH', 'state', group]), false)
        .map(key)
        .sort();
      // The orphans' timers can fire between the two reads; compare what both saw.
      const both = new Set(theirs);
      assert.deepEqual(
        ours.filter((k) => both.has(k) || !theirs.length),
        theirs.filter((k) => ours.includes(k)),
        group,
      );
      assert.ok(Math.abs(ours.length - theirs.length) <= 2, `${group}: ${ours.length} vs ${theirs.length}`);
    }
  });

  it('counts per state as ss does', async () => {
    let counts: { total: number; states: Record<string, number> } | undefined;
    let want: Record<string, number> = {};
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await ssSockets(ns);
      counts = tcpscopeJson<{ total: number; states: Record<string, number> }>(['count'], { netns: ns.name });
      const after = await ssSockets(ns);
      if (before.map(key).sort().join() !== after.map(key).sort().join()) continue; // a timer fired meanwhile
      want = {};
      for (const t of after) want[t.state] = (want[t.state] ?? 0) + 1;
      break;
    }
    assert.ok(counts);
    assert.deepEqual(counts.states, want);
    assert.equal(
      counts.total,
      Object.values(want).reduce((a, b) => a + b, 0),
    );
    const byPort = tcpscopeJson<{ by: string; rows: { key: string; total: number }[] }>(
      ['count', '--by', 'port', '--top', '3'],
      { netns: ns.name },
    );
    assert.equal(byPort.rows.length, 4);
    assert.equal(byPort.rows[3]!.key, '(other)');
    assert.ok(Math.abs(byPort.rows.reduce((n, r) => n + r.total, 0) - counts.total) <= 4);
  });

  it('answers who PORT like lsof -i:PORT, with the queued children apart', () => {
    const item = report.items.find((i) => i.kind === 'accept-queue' && i.family === 6)!;
    const r = tcpscope(['who', `:${item.port}`, '--json'], { netns: ns.name });
    assert.equal(r.status, 0, r.stderr);
    const who = JSON.parse(r.stdout) as {
      port: number;
      processes: { pid: number; sockets: Socket[] }[];
      unowned: Socket[];
    };
    assert.deepEqual(
      who.processes.map((p) => p.pid),
      [report.pid],
    );
    const held = item.sockets
      .filter((s) => s.owned)
      .map(key)
      .sort();
    assert.deepEqual(who.processes[0]!.sockets.map(key).sort(), held);
    const queued = item.sockets
      .filter((s) => s.role === 'queued')
      .map(key)
      .sort();
    assert.deepEqual(who.unowned.map(key).sort(), queued);
    for (const s of who.unowned) assert.equal(s.attribution?.kind, 'queued');
    const nobody = tcpscope(['who', '1'], { netns: ns.name });
    assert.equal(nobody.status, 1);
  });

  it('reads the namespace from outside with --netns, and only that namespace', () => {
    const inside = tcpscopeJson<Snapshot>(['ls', '-s', 'listen'], { netns: ns.name });
    const outside = tcpscopeJson<Snapshot>(['ls', '-s', 'listen', '--netns', ns.name]);
    assert.deepEqual(outside.sockets.map(key).sort(), inside.sockets.map(key).sort());
    assert.equal(outside.netns?.name, ns.name);
    const pid = tcpscopeJson<Snapshot>(['ls', '-s', 'listen', '--netns-pid', String(report.pid)]);
    assert.deepEqual(pid.sockets.map(key).sort(), inside.sockets.map(key).sort());
    const host = tcpscopeJson<Snapshot>(['ls', '-s', 'listen']);
    assert.ok(
      !host.sockets.some((s) => s.local.port === report.items[0]!.port && s.local.address === '127.0.0.1'),
    );
  });

  it('filters by port, address, process and family', () => {
    const item = report.items.find((i) => i.kind === 'established' && i.family === 4)!;
    const byPort = tcpscopeJson<Snapshot>(['ls', '--port', String(item.port)], { netns: ns.name });
    assert.deepEqual(byPort.sockets.map(key).sort(), item.sockets.map(key).sort());
    const v6 = tcpscopeJson<Snapshot>(['ls', '-6', '--dst', '::1/128'], { netns: ns.name });
    assert.ok(v6.sockets.length > 5 && v6.sockets.every((s) => s.family === 6 && s.remote.address === '::1'));
    const mine = tcpscopeJson<Snapshot>(['ls', '--pid', String(report.pid), '-s', 'established'], {
      netns: ns.name,
    });
    assert.ok(
      mine.sockets.length > 0 &&
        mine.sockets.every(
          (s) => s.owners!.some((o) => o.pid === report.pid) || s.attribution?.pid === report.pid,
        ),
    );
    const none = tcpscopeJson<Snapshot>(['ls', '--process', 'no-such-program'], { netns: ns.name });
    assert.equal(none.sockets.length, 0);
  });

  it('shows the overview with the listeners and their program', () => {
    const r = tcpscope(['--json'], { netns: ns.name });
    assert.equal(r.status, 0, r.stderr);
    const v = JSON.parse(r.stdout) as {
      total: number;
      listening: { port: number; programs: string[]; exposure: string }[];
    };
    const listener = v.listening.find((l) => l.port === report.items[0]!.port)!;
    assert.deepEqual(listener.programs, [`${commOf(report.pid)}[${report.pid}]`]);
    assert.equal(listener.exposure, 'loopback');
    const text = tcpscope([], { netns: ns.name });
    assert.equal(text.status, 0);
    assert.match(text.stdout, /Listening/);
    assert.match(text.stdout, new RegExp(`${commPattern(report.pid)}\\[${report.pid}\\]`));
  });

  it('works as an unprivileged user, and says what it could not see', () => {
    const r = tcpscope(['ls', '-p', '--json'], { netns: ns.name, user: 'nobody' });
    assert.equal(r.status, 0, r.stderr);
    const snap = JSON.parse(r.stdout) as Snapshot;
    assert.ok(snap.sockets.length > 40);
    assert.ok(
      snap.sockets.every((s) => s.owners!.length === 0),
      'root-owned fds are not visible to nobody',
    );
    assert.ok(snap.unseen!.processes > 0);
    assert.match(r.stderr, /could not be inspected: run as root/);
    const who = tcpscope(['who', String(report.items[0]!.port)], { netns: ns.name, user: 'nobody' });
    assert.equal(who.status, 0);
    assert.match(who.stdout, /Held by no process/);
  });
});
