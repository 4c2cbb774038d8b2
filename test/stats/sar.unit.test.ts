import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CounterSample } from '../../src/kernel/counters-types.js';
import { type CounterInterval, intervalBetween } from '../../src/stats/sampler.js';
import { SAR_COLUMNS, SAR_VIEWS, SarAverager, sarRow } from '../../src/stats/sar.js';

function sample(c: Record<string, number>, used: number, states?: CounterSample['states']): CounterSample {
  const s: CounterSample = {
    counters: c,
    sockstat: {
      sockets: { used },
      TCP: { inuse: 5, orphan: 0, tw: 2, alloc: 6, mem: 1 },
      UDP: { inuse: 1, mem: 0 },
      RAW: { inuse: 0 },
      FRAG: { inuse: 0, memory: 0 },
    },
    malformed: 0,
  };
  if (states) s.states = states;
  return s;
}

const iv = (a: CounterSample, b: CounterSample, seconds: number): CounterInterval =>
  intervalBetween(
    { sample: a, time: new Date(0), mono: 0 },
    { sample: b, time: new Date(seconds * 1000), mono: seconds * 1000 },
  );

const TCP0 = { TcpActiveOpens: 0, TcpPassiveOpens: 0, TcpInSegs: 0, TcpOutSegs: 0, TcpOutRsts: 0 };

describe('sar views', () => {
  it("uses sar's column names, in sar's order", () => {
    assert.deepEqual(
      SAR_COLUMNS.SOCK.map((c) => c.key),
      ['totsck', 'tcpsck', 'udpsck', 'rawsck', 'ip-frag', 'tcp-tw'],
    );
    assert.deepEqual(
      SAR_COLUMNS.TCP.map((c) => c.key),
      ['active/s', 'passive/s', 'iseg/s', 'oseg/s'],
    );
    assert.deepEqual(
      SAR_COLUMNS.ETCP.map((c) => c.key),
      ['atmptf/s', 'estres/s', 'retrans/s', 'isegerr/s', 'orsts/s'],
    );
    assert.equal(SAR_COLUMNS.STATE.length, 11);
    assert.deepEqual([...SAR_VIEWS], ['SOCK', 'SOCK6', 'TCP', 'ETCP', 'LISTEN', 'STATE']);
  });

  it('gives rates over the interval and levels at its end', () => {
    const a = sample(TCP0, 10);
    const b = sample(
      { ...TCP0, TcpActiveOpens: 30, TcpPassiveOpens: 20, TcpInSegs: 400, TcpOutSegs: 300 },
      12,
    );
    const i = iv(a, b, 10);
    assert.deepEqual(sarRow('TCP', i), { 'active/s': 3, 'passive/s': 2, 'iseg/s': 40, 'oseg/s': 30 });
    assert.deepEqual(sarRow('SOCK', i), {
      totsck: 12,
      tcpsck: 5,
      udpsck: 1,
      rawsck: 0,
      'ip-frag': 0,
      'tcp-tw': 2,
    });
  });

  it('says null where the kernel lacks the counter or the table', () => {
    const i = iv(sample(TCP0, 1), sample(TCP0, 1), 1);
    assert.equal(sarRow('ETCP', i)['atmptf/s'], null);
    assert.equal(sarRow('ETCP', i)['orsts/s'], 0);
    assert.deepEqual(sarRow('SOCK6', i), { tcp6sck: null, udp6sck: null, raw6sck: null, 'ip6-frag': null });
    assert.equal(sarRow('STATE', i)['ESTABLISHED'], null, 'states not read');
  });
});

describe('SarAverager', () => {
  it('averages rates as total increase over total time, and levels as their mean', () => {
    const avg = new SarAverager();
    const s0 = sample(TCP0, 10, { ...zeroStates(), ESTABLISHED: 4 });
    const s1 = sample({ ...TCP0, TcpActiveOpens: 10 }, 20, { ...zeroStates(), ESTABLISHED: 8 });
    const s2 = sample({ ...TCP0, TcpActiveOpens: 40 }, 30, { ...zeroStates(), ESTABLISHED: 2 });
    avg.add(iv(s0, s1, 1)); // 10/s over 1 s
    avg.add(iv(s1, s2, 3)); // 10/s over 3 s
    avg.add(iv(s2, s2, 1)); // 0/s over 1 s
    assert.equal(avg.count, 3);
    assert.equal(avg.seconds, 5);
    assert.equal(avg.row('TCP')['active/s'], 40 / 5);
    assert.equal(avg.row('SOCK')['totsck'], (20 + 30 + 30) / 3);
    assert.equal(avg.row('STATE')['ESTABLISHED'], (8 + 2 + 2) / 3);
    assert.equal(avg.row('ETCP')['atmptf/s'], null);
  });
});

function zeroStates(): NonNullable<CounterSample['states']> {
  return Object.fromEntries(SAR_COLUMNS.STATE.map((c) => [c.key, 0])) as NonNullable<CounterSample['states']>;
}
