/** The moments `pcap --at` takes, and an end's state at a moment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connJson, connJsonText, isoTime, parseMoment, stateAt } from '../../src/flow/report.js';
import { testSeed } from '../helpers/random.js';
import { fixtureConns } from './conns.js';

// 2026-12-04T21:44:03.746680Z
const FIRST = 1_796_420_643_746_680;

describe('pcap moments', () => {
  it('takes offsets from the first packet', () => {
    assert.equal(parseMoment('+12.5s', FIRST), FIRST + 12_500_000);
    assert.equal(parseMoment('+250ms', FIRST), FIRST + 250_000);
    assert.equal(parseMoment('+2m', FIRST), FIRST + 120_000_000);
    assert.equal(parseMoment('+7', FIRST), FIRST + 7_000_000);
  });

  it('takes ISO 8601 times, to the microsecond', () => {
    assert.equal(parseMoment('2026-12-04T21:44:03.250Z', FIRST), 1_796_420_643_250_000);
    assert.equal(parseMoment('2026-12-04T21:44:03.250125Z', FIRST), 1_796_420_643_250_125);
    assert.equal(parseMoment('2026-12-04T22:44:03+01:00', FIRST), 1_796_420_643_000_000);
    assert.equal(isoTime(1_796_420_643_250_125), '2026-12-04T21:44:03.250125Z');
  });

  it('takes a time of day on the first packet date (the next day when earlier than the first packet), in the local zone', () => {
    assert.equal(parseMoment('21:44:05', FIRST, 0), 1_796_420_645_000_000);
    assert.equal(parseMoment('21:44:05.5', FIRST, 0), 1_796_420_645_500_000);
    // UTC+1 (offset -60): 22:44:05 there is 21:44:05Z.
    assert.equal(parseMoment('22:44:05', FIRST, -60), 1_796_420_645_000_000);
    // UTC-8: the first packet fell on 13:44 of the same date there.
    assert.equal(parseMoment('13:44:05', FIRST, 480), 1_796_420_645_000_000);
    // Earlier than the first packet: the next day's, as in a capture running past midnight.
    assert.equal(parseMoment('00:00:25', FIRST, 0), 1_796_428_825_000_000);
    assert.equal(parseMoment('21:44:03', FIRST, 0), 1_796_420_643_000_000 + 86_400_000_000);
  });

  it('refuses what is none of these', () => {
    for (const bad of ['yesterday', '25:00', '12:61', '+', '+x', '2026-13-45T00:00:00Z'])
      assert.equal(parseMoment(bad, FIRST), undefined, bad);
  });

  it('reads an end state at a moment from its timeline', () => {
    const end = {
      address: '192.0.2.1',
      port: 1,
      packets: 0,
      bytes: 0,
      retransmissions: 0,
      states: [
        { state: 'SYN_SENT' as const, atUs: 10 },
        { state: 'ESTABLISHED' as const, atUs: 20 },
      ],
    };
    assert.equal(stateAt(end, 5), undefined);
    assert.equal(stateAt(end, 10), 'SYN_SENT');
    assert.equal(stateAt(end, 25), 'ESTABLISHED');
  });

  it('writes moments as Date.toISOString with the microseconds, whatever the second before', () => {
    let x = testSeed() >>> 0 || 1;
    const plain = (us: number) => {
      const iso = new Date(Math.floor(us / 1000)).toISOString();
      const rest = Math.round(us % 1000);
      return rest === 0 ? iso : iso.replace('Z', `${String(rest).padStart(3, '0')}Z`);
    };
    for (let i = 0; i < 20_000; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      // Runs of moments within a second, jumps back and forth, whole milliseconds and seconds.
      const us = FIRST + (i % 7 === 0 ? -x : x) * (i % 3 === 0 ? 1000 : 1) + (i % 11 === 0 ? 0.5 : 0);
      assert.equal(isoTime(us), plain(us), String(us));
    }
    for (const us of [0, 999, 1000, 1_000_000, FIRST - (FIRST % 1_000_000)])
      assert.equal(isoTime(us), plain(us));
  });

  it('writes a connection directly as JSON.stringify writes connJson', async () => {
    const conns = await fixtureConns();
    assert.ok(conns.some((c) => c.firstClose) && conns.some((c) => c.anomalies.length > 0));
    assert.ok(conns.some((c) => c.family === 6));
    for (const c of conns) assert.equal(connJsonText(c), JSON.stringify(connJson(c)));
  });
});
