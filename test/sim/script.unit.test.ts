/** The scenario language: statements, durations, rules, and one-line errors that name the line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScript, simulate } from '../../src/sim/index.js';
import { matchesSpec } from '../../src/sim/network.js';
import { parseDuration } from '../../src/sim/script.js';
import { ACK, FIN, PSH, RST, SYN } from '../../src/tcp/index.js';

describe('scenario scripts', () => {
  it('parses settings, calls, rules, injections and notes', () => {
    const sc = parseScript(
      [
        'title Mine',
        'about first line',
        'about second line  # a comment',
        'set latency 20ms',
        'set client.iss 7',
        'set server.synackRetries 1',
        'set server.finTimeoutMs 5s',
        'at 0 server listen',
        'at 1.5s client send 300',
        'lose server SYN+ACK #2',
        'at 10ms delay client FIN 30ms',
        'at 3s inject server RST+ACK seq=5 ack=6 from 192.0.2.1:99',
        'at 2m note hello world',
      ].join('\n'),
      'mine.tcp',
    );
    assert.equal(sc.title, 'Mine');
    assert.equal(sc.about, 'first line second line');
    assert.equal(sc.settings.latencyMs, 20);
    assert.equal(sc.settings.client.iss, 7);
    assert.deepEqual(sc.settings.server.limits, { synackRetries: 1, finTimeoutMs: 5000 });
    assert.deepEqual(sc.actions[1], { kind: 'call', at: 1500, side: 'client', call: 'send', bytes: 300 });
    assert.deepEqual(sc.actions[2], {
      kind: 'rule',
      at: 0,
      rule: { kind: 'lose', match: { side: 'server', spec: 'SYN+ACK', nth: 2 } },
    });
    assert.deepEqual(sc.actions[3], {
      kind: 'rule',
      at: 10,
      rule: { kind: 'delay', match: { side: 'client', spec: 'FIN', nth: 1 }, ms: 30 },
    });
    assert.deepEqual(sc.actions[4], {
      kind: 'inject',
      at: 3000,
      to: 'server',
      from: { host: '192.0.2.1', port: 99 },
      segment: { seq: 5, ack: 6, flags: RST | ACK, len: 0 },
    });
    assert.deepEqual(sc.actions[5], { kind: 'note', at: 120_000, text: 'hello world' });
  });

  it('rejects bad lines with the file, the line and what is valid', () => {
    const bad: [string, RegExp][] = [
      ['client conect', /x line 1: unknown call 'conect' \(valid: listen, connect/],
      ['at soon client close', /x line 1: 'soon' is no duration/],
      ['set client.colour blue', /unknown setting 'colour'/],
      ['lose client PSH', /'PSH' selects no segment/],
      ['lose client SYN #0', /'#0' is no count/],
      ['peer close', /'peer' is no side/],
      ['at 0 inject server SYN seq=-1', /seq needs a whole number/],
      ['set server.syncookies maybe', /syncookies is on or off/],
    ];
    for (const [line, re] of bad) {
      assert.throws(
        () => parseScript(`# header\n\n${line}`.split('\n').slice(2).join('\n'), 'x'),
        (e: Error & { code?: string }) => {
          assert.match(e.message, re);
          assert.equal(e.code, 'EPARSE');
          return true;
        },
      );
    }
    assert.equal(parseDuration('250', 'x'), 250);
  });

  it('selects segments by control bits: FIN and RST with or without ACK, SYN and ACK exactly', () => {
    const s = (flags: number, len = 0) => ({ seq: 0, ack: 0, flags, len });
    const table: [number, number, string, boolean][] = [
      [SYN, 0, 'SYN', true],
      [SYN | ACK, 0, 'SYN', false],
      [SYN | ACK, 0, 'SYN+ACK', true],
      [ACK, 0, 'ACK', true],
      [ACK | PSH, 10, 'ACK', false],
      [ACK | PSH, 10, 'DATA', true],
      [FIN | ACK, 0, 'FIN', true],
      [FIN | ACK, 0, 'FIN+ACK', true],
      [FIN | ACK, 0, 'ACK', false],
      [RST | ACK, 0, 'RST', true],
      [RST, 0, 'RST+ACK', false],
    ];
    for (const [flags, len, spec, want] of table)
      assert.equal(matchesSpec(s(flags, len), spec), want, `${spec} ${flags}`);
  });

  it('runs a user script: a duplicated and a reordered segment change nothing for correct ends', () => {
    const res = simulate(
      parseScript(
        [
          'at 0 server listen',
          'at 0 client connect',
          'duplicate server SYN+ACK 3ms',
          'at 100ms client send 100',
          'at 101ms client send 100',
          'reorder client DATA',
          'at 200ms client close',
          'at 300ms server close',
        ].join('\n'),
        'dup',
      ),
    );
    const last = res.events.at(-1)!;
    assert.deepEqual([last.views[0].state, last.views[1].state], ['CLOSE', 'CLOSE']);
    assert.ok(res.events.some((s) => s.text.includes('duplicate')));
    assert.ok(res.events.some((s) => s.text.includes('reordered')));
    assert.deepEqual(
      res.events.flatMap((s) => s.anomalies.map((a) => a.id)),
      ['challenge-ack'],
      'the duplicate SYN+ACK gets a challenge ACK, nothing else goes wrong',
    );
  });
});
