import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseProcNetTcp } from '../../src/kernel/proc-net-tcp.js';
import { parseSs } from '../../src/lab/ss.js';
import type { Socket } from '../../src/tcp/socket.js';

// Fixtures recorded by test/fixtures/regenerate-procfs.sh (the .ts sources run from build/test/...).
const dir = fileURLToPath(new URL('../../../test/fixtures/procfs/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(dir + name);
const le = { littleEndian: true };

/** A key that identifies a socket in both outputs. */
function socketKey(s: Pick<Socket, 'state' | 'local' | 'remote'>): string {
  return `${s.state} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}

function both(suffix: string, littleEndian: boolean): Socket[] {
  return [
    ...parseProcNetTcp(fixture(`tcp${suffix}`), 4, { littleEndian }).sockets,
    ...parseProcNetTcp(fixture(`tcp6${suffix}`), 6, { littleEndian }).sockets,
  ];
}

describe('parseProcNetTcp on recorded files', () => {
  const sockets = both('', true);
  const ss = parseSs(fixture('ss-tanoeH.txt').toString(), false);

  it('finds the same sockets as ss did at the same moment', () => {
    assert.deepEqual(sockets.map(socketKey).sort(), ss.map(socketKey).sort());
  });

  it('reads queues, inodes and timers as ss does', () => {
    const byKey = new Map(sockets.map((s) => [socketKey(s), s]));
    for (const want of ss) {
      const got = byKey.get(socketKey(want))!;
      assert.equal(got.recvQ, want.recvQ, socketKey(want));
      // For listeners ss shows the backlog limit as Send-Q, which procfs does not have.
      if (want.state !== 'LISTEN') assert.equal(got.sendQ, want.sendQ, socketKey(want));
      assert.equal(got.inode, want.inode ?? 0, socketKey(want));
      assert.equal(
        got.timer?.kind === 'off' ? undefined : got.timer?.kind,
        want.timer?.kind,
        socketKey(want),
      );
    }
  });

  it('writes IPv4-mapped addresses as dotted quads with mapped: true', () => {
    const mapped = sockets.filter((s) => s.mapped);
    assert.ok(mapped.length >= 2);
    for (const s of mapped) {
      assert.equal(s.family, 6);
      assert.match(s.local.address, /^\d+\.\d+\.\d+\.\d+$/);
    }
    const wildcard6 = sockets.find((s) => s.family === 6 && s.state === 'LISTEN' && s.local.address === '::');
    assert.ok(wildcard6, 'the dual-stack listener reads as ::');
    assert.equal(wildcard6.mapped, undefined);
  });

  it('converts timer ticks to milliseconds (USER_HZ 100)', () => {
    const tw = sockets.find((s) => s.state === 'TIME_WAIT')!;
    assert.equal(tw.timer?.kind, 'timewait');
    assert.ok(tw.timer!.expiresMs > 50_000 && tw.timer!.expiresMs <= 60_000, String(tw.timer!.expiresMs));
  });

  it('reads a big-endian machine’s file to the same sockets', () => {
    assert.deepEqual(both('.be', false), sockets);
  });

  it('keeps only the states of the mask', () => {
    const r = parseProcNetTcp(fixture('tcp'), 4, { ...le, stateMask: 1 << 10 });
    assert.ok(r.sockets.length > 0);
    assert.ok(r.sockets.every((s) => s.state === 'LISTEN'));
  });
});

describe('parseProcNetTcp on bad input', () => {
  it('counts and skips malformed rows, keeping the good ones', () => {
    const good = parseProcNetTcp(fixture('tcp'), 4, le).sockets;
    const r = parseProcNetTcp(fixture('tcp.malformed'), 4, le);
    assert.equal(r.malformed, 2);
    assert.match(r.firstError ?? '', /^line 3: /);
    assert.deepEqual(r.sockets, good);
  });

  const bad: [string, string][] = [
    ['empty', ''],
    ['header only', '  sl  local_address rem_address   st\n'],
    ['binary', '\0\0\0\xff\xfe\n\x01\x02'],
    ['short v4 address', 'h\n 0: 0100:1F90 00000000:0000 0A 0:0 00:0 0 0 0 1\n'],
    ['unknown state', 'h\n 0: 0100007F:1F90 00000000:0000 0C 0:0 00:0 0 0 0 1\n'],
    ['truncated row', 'h\n 0: 0100007F:1F90 00000000:0000 0A 00000000:000\n'],
    ['unknown timer', 'h\n 0: 0100007F:1F90 00000000:0000 0A 0:0 07:0 0 0 0 1\n'],
  ];
  for (const [name, text] of bad) {
    it(`never throws: ${name}`, () => {
      const r = parseProcNetTcp(Buffer.from(text, 'latin1'), 4, le);
      assert.equal(r.sockets.length, 0);
      assert.equal(
        r.malformed,
        text
          .split('\n')
          .slice(1)
          .filter((l) => l !== '').length,
      );
    });
  }

  it('reads a short IPv6 row as malformed', () => {
    const r = parseProcNetTcp(Buffer.from('h\n 0: 0000:0050 0000:0000 0A 0:0 00:0 0 0 0 1\n'), 6, le);
    assert.equal(r.malformed, 1);
  });
});
