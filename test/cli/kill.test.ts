import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from '../../src/tcp/socket.js';
import { tcpscope, tcpscopeJson } from '../helpers/cli.js';
import { type Holder, makeNetns, startHolder, type TestNetns } from '../helpers/netns.js';

describe('tcpscope kill', () => {
  let ns: TestNetns;
  let holder: Holder;
  before(async () => {
    ns = makeNetns();
    holder = await startHolder(ns, ['closewait']);
  });
  after(() => {
    holder?.stop();
    ns?.delete();
  });

  const closeWait = (): Socket[] =>
    tcpscopeJson<{ sockets: Socket[] }>(['ls', '--netns', ns.name, '-s', 'close-wait']).sockets;

  it('refuses an empty filter', () => {
    const r = tcpscope(['kill', '--netns', ns.name, '--yes']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to close every socket/);
  });

  it('without a terminal and without --yes, shows what it would close and closes nothing', () => {
    const r = tcpscope(['kill', '--netns', ns.name, '-s', 'close-wait']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /stdin is not a terminal: add --yes to close these 3 socket\(s\)/);
    assert.equal(r.stdout.match(/CLOSE_WAIT/g)?.length, 3);
    assert.equal(closeWait().length, 3);
  });

  it('closes the CLOSE_WAIT sockets with --yes, and their peers get a reset', () => {
    const port = String(holder.ports['closewait']);
    const r = tcpscope(['kill', '--netns', ns.name, '-s', 'close-wait', '--port', port, '--yes']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Closed 3 socket\(s\)\./);
    assert.equal(closeWait().length, 0);
    // The clients' FIN_WAIT2 ends got the RST of the abort.
    const left = tcpscopeJson<{ sockets: Socket[] }>(['ls', '--netns', ns.name, '--dport', port]).sockets;
    assert.deepEqual(left, []);
  });

  it('exits 1 when nothing matches', () => {
    const r = tcpscope(['kill', '--netns', ns.name, '-s', 'close-wait', '--yes', '--json']);
    assert.equal(r.status, 1);
    assert.equal(JSON.parse(r.stdout).matched, 0);
  });
});
