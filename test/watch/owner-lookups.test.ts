/**
 * The live view looks owners up (the costly /proc scan) only when its table shows a socket whose
 * owner no lookup has seen: refreshes over an unchanged table scan nothing, and a connection born
 * since is given its process by the refresh after the one that first shows it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WatchSample } from '../../src/watch/model.js';
import { openWatchSampler, type WatchSampler } from '../../src/watch/sampler.js';
import { makeNetns, type NodeProgram, startNodeIn, type TestNetns } from '../helpers/netns.js';

// A listener, and on each line read a connection to it kept open: "opened PORT" (the client's port).
const PROGRAM = `
import net from 'node:net';
import readline from 'node:readline';
const kept = [];
const server = net.createServer((c) => kept.push(c)).listen(7411, '127.0.0.1', () => console.log('ready'));
readline.createInterface({ input: process.stdin }).on('line', () => {
  const c = net.connect(7411, '127.0.0.1', () => console.log('opened ' + c.localPort));
  kept.push(c);
});
`;

/** The inode of the client socket on local port `port`, in the sample's table. */
function inodeOfPort(s: WatchSample, port: number): number {
  const t = s.table!;
  for (let i = 0; i < t.n; i++) if (t.lport[i] === port && t.rport[i] === 7411) return t.inode[i]!;
  return 0;
}

describe('owner lookups of the live view', () => {
  let ns: TestNetns;
  let program: NodeProgram;
  let sampler: WatchSampler;
  before(async () => {
    ns = makeNetns('owners');
    program = await startNodeIn(ns, PROGRAM);
    sampler = await openWatchSampler({ netns: ns.name, columns: true, trace: false, ownersCostRatio: 0 });
  });
  after(async () => {
    await sampler?.close();
    program?.stop();
    ns?.delete();
  });

  it('scan nothing while every socket’s owner is known, and find a new connection’s', async () => {
    const first = await sampler.next();
    assert.equal(first.ownersVersion, 1, 'the first refresh looks owners up');
    for (let i = 0; i < 5; i++) {
      const s = await sampler.next();
      assert.equal(s.ownersVersion, 1, `refresh ${i + 2} over an unchanged table scans nothing`);
    }
    program.tell('open');
    const port = Number((await program.line()).split(' ')[1]);
    // The refresh that first shows the connection has no owner for it; the next looks it up.
    const shows = await sampler.next();
    const inode = inodeOfPort(shows, port);
    assert.ok(inode > 0, `the connection from port ${port} is in the table`);
    assert.equal(shows.ownersVersion, 1);
    assert.equal(shows.ownersOf!(inode), undefined);
    const next = await sampler.next();
    assert.equal(next.ownersVersion, 2, 'the refresh after looks owners up');
    const owner = next.ownersOf!(inode)?.[0];
    // `ip netns exec` execs the program: the child's pid is the program's.
    assert.equal(owner?.pid, program.child.pid);
    assert.match(owner?.command ?? '', /node/);
    const again = await sampler.next();
    assert.equal(again.ownersVersion, 2, 'and none after that');
  });
});
