import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { attachOwners, type SocketFds, scanSocketFds, startSocketFdScan } from '../../src/kernel/owners.js';
import type { Owner } from '../../src/tcp/socket.js';

/** A proc tree of `processes`, each with fds linking where /proc/PID/fd links do. */
function procTree(
  root: string,
  processes: Record<number, { comm: string; fds: Record<number, string> }>,
): void {
  for (const [pid, p] of Object.entries(processes)) {
    mkdirSync(`${root}/${pid}/fd`, { recursive: true });
    writeFileSync(`${root}/${pid}/comm`, `${p.comm}\n`);
    writeFileSync(`${root}/${pid}/cmdline`, `${p.comm}\0--flag\0`);
    for (const [fd, target] of Object.entries(p.fds)) symlinkSync(target, `${root}/${pid}/fd/${fd}`);
  }
}

const entries = (r: SocketFds): string[] =>
  Array.from({ length: r.count }, (_, i) => `${r.pids[i]}/${r.fds[i]}/${r.inodes[i]}`);

describe('owners from a proc tree', () => {
  let root: string;
  const processes: Record<number, { comm: string; fds: Record<number, string> }> = {
    10: { comm: 'nginx', fds: { 0: '/dev/null', 6: 'socket:[1001]', 7: 'pipe:[5]', 8: 'socket:[1003]' } },
    11: { comm: 'nginx', fds: { 6: 'socket:[1001]', 9: 'socket:[1002]' } },
    200: { comm: 'redis', fds: { 5: 'socket:[4000000000]', 6: 'anon_inode:[eventpoll]' } },
  };
  // Many processes with many descriptors, so that both threads of a shared scan take some.
  for (let p = 0; p < 40; p++) {
    const fds: Record<number, string> = {};
    for (let f = 0; f < 50; f++) fds[f + 3] = `socket:[${100000 + p * 100 + f}]`;
    processes[1000 + p] = { comm: `w${p}`, fds };
  }

  before(() => {
    root = mkdtempSync(`${tmpdir()}/tcpscope-owners-`);
    procTree(root, processes);
    mkdirSync(`${root}/300`); // a process that ended: its fd directory is gone
    mkdirSync(`${root}/self`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists every socket descriptor, and only those, with its process and inode', () => {
    const r = scanSocketFds(root);
    const want = ['10/6/1001', '10/8/1003', '11/6/1001', '11/9/1002', '200/5/4000000000'];
    for (let p = 0; p < 40; p++)
      for (let f = 0; f < 50; f++) want.push(`${1000 + p}/${f + 3}/${100000 + p * 100 + f}`);
    assert.deepEqual(entries(r).sort(), want.sort());
    assert.equal(r.vanished, 1);
    assert.equal(r.unseen, 0);
  });

  it('finds the same on a worker thread and this one together, in the same order', async () => {
    const scan = startSocketFdScan(root);
    const shared = await scan.finish();
    assert.deepEqual(entries(shared), entries(scanSocketFds(root)));
    assert.equal(shared.vanished, 1);
  });

  it('gives each socket its holders in scan order, [] to the others and to inode 0', () => {
    const sockets: { inode: number; owners?: Owner[] }[] = [
      { inode: 1002 },
      { inode: 0 },
      { inode: 1001 },
      { inode: 4000000000 },
      { inode: 777 },
      { inode: 100001 },
    ];
    const seen = attachOwners(scanSocketFds(root), sockets, {
      procRoot: root,
      userName: (uid) => `u${uid}`,
      cmdline: true,
    });
    assert.equal(seen.vanished, 1);
    const text = (s: { owners?: Owner[] }): string[] =>
      s.owners!.map((o) => `${o.command}[${o.pid}]/${o.fd}`);
    assert.deepEqual(text(sockets[0]!), ['nginx[11]/9']);
    assert.deepEqual(sockets[1]!.owners, []);
    assert.deepEqual(text(sockets[2]!), ['nginx[10]/6', 'nginx[11]/6']);
    assert.deepEqual(text(sockets[3]!), ['redis[200]/5']);
    assert.deepEqual(sockets[4]!.owners, []);
    assert.deepEqual(text(sockets[5]!), ['w0[1000]/4']);
    assert.equal(sockets[2]!.owners![0]!.cmdline, 'nginx --flag');
    assert.match(sockets[2]!.owners![0]!.user, /^u\d+$/);
  });
});
