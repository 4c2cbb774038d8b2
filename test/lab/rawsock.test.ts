// Real kernel, as root: the raw calls run inside a private namespace (a node child under `ip netns exec`),
// so no socket touches the host's network. The child reports what it saw as JSON; we check it here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNetns, type Netns } from '../../src/lab/netns.js';

const RAWSOCK_JS = new URL('../../src/lab/rawsock.js', import.meta.url).href;

/** The calls, once per family, in the namespace; every outcome goes into one JSON object. */
const SCRIPT = `
import * as raw from ${JSON.stringify(RAWSOCK_JS)};
const attempt = (f) => { try { return { ok: f() ?? null }; } catch (e) { return { error: e.message, errno: e.errnoName, code: e.code }; } };
const out = {};
for (const [family, lo] of [[4, '127.0.0.1'], [6, '::1']]) {
  const r = (out[family] = {});
  const l = raw.socket(family, { nonBlocking: true });
  raw.bind(l, family, lo, 0);
  raw.listen(l, 3);
  const where = raw.getsockname(l);
  r.listener = { where, state: raw.tcpState(l), queue: raw.listenQueue(l) };
  r.acceptEmpty = raw.accept(l, { nonBlocking: true }) ?? 'EAGAIN';
  const other = raw.socket(family);
  r.bindTaken = attempt(() => raw.bind(other, family, lo, where.port));
  raw.setReuseAddr(other, true);
  r.bindTakenReuse = attempt(() => raw.bind(other, family, lo, where.port));
  raw.close(other);
  const refused = raw.socket(family);
  r.refused = attempt(() => raw.connect(refused, family, lo, 1));
  raw.close(refused);
  const c = raw.socket(family, { nonBlocking: true });
  raw.setNoDelay(c, true);
  raw.setRcvBuf(c, 4096);
  r.connect = raw.connect(c, family, lo, where.port);
  for (let i = 0; i < 200 && raw.tcpState(c) !== 'ESTABLISHED'; i++) await new Promise((ok) => setTimeout(ok, 5));
  r.clientState = raw.tcpState(c);
  r.queueAfter = raw.listenQueue(l);
  const a = raw.accept(l, { nonBlocking: true });
  r.accepted = { remote: a.remote, peer: raw.getpeername(c), local: raw.getsockname(c), serverLocal: raw.getsockname(a.fd) };
  r.recvEmpty = raw.recv(a.fd, 10) ?? 'EAGAIN';
  r.sent = raw.send(c, new TextEncoder().encode('hello'));
  let got;
  for (let i = 0; i < 400 && (got = raw.recv(a.fd, 10)) === undefined; i++) await new Promise((ok) => setTimeout(ok, 5));
  r.received = new TextDecoder().decode(got);
  raw.shutdown(c, 'write');
  // The ACK of a FIN is delayed (tcp_fin() enters pingpong mode, hoping to carry our own FIN): FIN_WAIT1 lasts a while.
  for (let i = 0; i < 200 && raw.tcpState(c) !== 'FIN_WAIT2'; i++) await new Promise((ok) => setTimeout(ok, 5));
  r.eof = raw.recv(a.fd, 10)?.length;
  r.halfClosed = [raw.tcpState(c), raw.tcpState(a.fd)];
  raw.setNonBlocking(a.fd, false);
  raw.setNonBlocking(a.fd, true);
  r.linger = attempt(() => { raw.setLinger(a.fd, true, 0); raw.close(a.fd); });
  for (let i = 0; i < 400; i++) {
    r.reset = attempt(() => raw.recv(c, 10));
    if (!('ok' in r.reset) || r.reset.ok !== null) break;
    await new Promise((ok) => setTimeout(ok, 5));
  }
  r.soError = raw.socketError(c) ?? null;
  r.closeTwice = attempt(() => { raw.close(c); raw.close(c); });
  raw.close(l);
}
console.log(JSON.stringify(out));
`;

describe('rawsock', () => {
  let ns: Netns;
  // biome-ignore lint/suspicious/noExplicitAny: the child's JSON, checked field by field below
  let seen: Record<string, any>;
  before(async () => {
    ns = await createNetns('tcps-test');
    seen = JSON.parse(await ns.exec([process.execPath, '--input-type=module', '-e', SCRIPT]));
  });
  after(() => ns.dispose());

  for (const [family, lo] of [
    ['4', '127.0.0.1'],
    ['6', '::1'],
  ] as const) {
    const ep = (port: number) => (family === '6' ? `[${lo}]:${port}` : `${lo}:${port}`);

    it(`listens, binds and reports errno as one line over IPv${family}`, () => {
      const r = seen[family];
      assert.equal(r.listener.where.address, lo);
      assert.ok(
        r.listener.where.port >= 40000 && r.listener.where.port <= 49999,
        'port 0 takes the lab range',
      );
      assert.equal(r.listener.state, 'LISTEN');
      assert.deepEqual(r.listener.queue, { queued: 0, max: 3 });
      assert.equal(r.acceptEmpty, 'EAGAIN');
      const p = r.listener.where.port;
      assert.deepEqual(r.bindTaken, {
        error: `bind(${ep(p)}): EADDRINUSE (Address already in use)`,
        errno: 'EADDRINUSE',
        code: 'EENV',
      });
      // SO_REUSEADDR does not share a port with a listener (only with TIME_WAIT leftovers).
      assert.equal(r.bindTakenReuse.errno, 'EADDRINUSE');
      assert.equal(r.refused.error, `connect(${ep(1)}): ECONNREFUSED (Connection refused)`);
    });

    it(`connects, accepts, sends, half-closes and resets over IPv${family}`, () => {
      const r = seen[family];
      assert.ok(r.connect === 'in-progress' || r.connect === 'connected');
      assert.equal(r.clientState, 'ESTABLISHED');
      assert.deepEqual(r.queueAfter, { queued: 1, max: 3 }, 'the child waits in the accept queue');
      assert.deepEqual(r.accepted.remote, { family: Number(family), ...r.accepted.local });
      assert.deepEqual(r.accepted.peer, { family: Number(family), address: lo, port: r.listener.where.port });
      assert.equal(r.recvEmpty, 'EAGAIN');
      assert.equal(r.sent, 5);
      assert.equal(r.received, 'hello');
      assert.equal(r.eof, 0, 'recv gives an empty read at the FIN');
      assert.deepEqual(r.halfClosed, ['FIN_WAIT2', 'CLOSE_WAIT']);
      assert.deepEqual(r.linger, { ok: null });
      assert.equal(r.reset.errno, 'ECONNRESET', 'SO_LINGER 0 closes with RST');
      assert.equal(r.soError, null);
      assert.match(r.closeTwice.error, /^close\(\d+\): EBADF \(Bad file descriptor\)$/);
    });
  }
});
