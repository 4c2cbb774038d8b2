import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  durationText,
  localText,
  netnsText,
  peerText,
  stateText,
  timerText,
} from '../../src/render/socket-text.js';
import type { Socket } from '../../src/tcp/socket.js';

// ss's own print_ms_timer over 10,000 durations: test/fixtures/ss-timers/regenerate.sh.
const table = readFileSync(
  fileURLToPath(new URL('../../../test/fixtures/ss-timers/expected.txt', import.meta.url)),
  'utf8',
);

describe('timers as ss -o writes them', () => {
  it('cuts every duration as ss does', () => {
    let n = 0;
    for (const line of table.split('\n')) {
      if (line === '') continue;
      const [ms, want] = line.split('\t');
      assert.equal(durationText(Number(ms)), want ?? '', `${ms} ms`);
      n++;
    }
    assert.ok(n > 10_000, `${n} rows`);
  });

  it('cuts rather than rounds (ss 59sec is not 1min)', () => {
    assert.equal(durationText(59_999), '59sec');
    assert.equal(durationText(3304), '3.304sec');
    assert.equal(durationText(8), '008ms');
    assert.equal(durationText(0), '');
  });

  it("names the kinds as ss's tcp_timer_print", () => {
    const t = (kind: 'retransmit' | 'keepalive' | 'timewait' | 'probe' | 'off') =>
      timerText({ kind, expiresMs: 1304, retransmits: 2 });
    assert.equal(t('retransmit'), 'on,1.304sec,2');
    assert.equal(t('keepalive'), 'keepalive,1.304sec,2');
    assert.equal(t('timewait'), 'timewait,1.304sec,2');
    assert.equal(t('probe'), 'persist,1.304sec,2');
    assert.equal(t('off'), '');
  });
});

describe('ends as ss writes them', () => {
  const sock = (
    family: 4 | 6,
    local: string,
    lport: number,
    remote: string,
    rport: number,
    more: Partial<Socket> = {},
  ): Socket => ({
    state: 'LISTEN',
    family,
    local: { address: local, port: lport },
    remote: { address: remote, port: rport },
    recvQ: 0,
    sendQ: 0,
    inode: 1,
    uid: 0,
    ...more,
  });
  it('writes a dual-stack wildcard as *, a v6-only one as [::]', () => {
    const dual = sock(6, '::', 80, '::', 0);
    assert.equal(localText(dual), '*:80');
    assert.equal(peerText(dual), '*:*');
    const only = sock(6, '::', 80, '::', 0, { v6only: true });
    assert.equal(localText(only), '[::]:80');
    assert.equal(peerText(only), '[::]:*');
  });
  it('writes the peer of a socket bound to a specific IPv6 address as [::] (the kernel made it v6-only)', () => {
    const s = sock(6, '::1', 8443, '::', 0);
    assert.equal(localText(s), '[::1]:8443');
    assert.equal(peerText(s), '[::]:*');
  });
  it('writes IPv4 as it is and IPv4-mapped ends as ss does', () => {
    assert.equal(peerText(sock(4, '0.0.0.0', 80, '0.0.0.0', 0)), '0.0.0.0:*');
    const m = sock(6, '127.0.0.1', 9090, '127.0.0.1', 59066, { mapped: true, state: 'ESTABLISHED' });
    assert.equal(localText(m), '[::ffff:127.0.0.1]:9090');
    assert.equal(peerText(m), '[::ffff:127.0.0.1]:59066');
  });
  it('writes a bound, idle socket as UNCONN, as ss does', () => {
    assert.equal(stateText('CLOSE'), 'UNCONN');
    assert.equal(stateText('TIME_WAIT'), 'TIME_WAIT');
  });
});

describe('namespaces by name', () => {
  it('names the host namespace host, a named one by its name, others by inode', () => {
    assert.equal(netnsText({ inode: 4026531833, host: true }), 'host');
    assert.equal(netnsText({ inode: 4026531833, host: true, unit: 'init.scope' }), 'host');
    assert.equal(netnsText({ inode: 4026532211, name: 'blue' }), 'blue');
    assert.equal(
      netnsText({ inode: 4026532211, container: 'docker:3f2a1b9c0d4e' }),
      '4026532211 docker:3f2a1b9c0d4e',
    );
  });
});
