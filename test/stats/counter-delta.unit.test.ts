import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterDelta, counterRates, GAUGES, isGauge } from '../../src/stats/counter-delta.js';

describe('counterDelta', () => {
  it('subtracts running totals and keeps gauges as they are', () => {
    const d = counterDelta(
      { TcpActiveOpens: 10, TcpCurrEstab: 50, TcpMaxConn: -1, TcpExtListenOverflows: 3 },
      { TcpActiveOpens: 25, TcpCurrEstab: 40, TcpMaxConn: -1, TcpExtListenOverflows: 3 },
    );
    assert.deepEqual(d.delta, {
      TcpActiveOpens: 15,
      TcpCurrEstab: 40,
      TcpMaxConn: -1,
      TcpExtListenOverflows: 0,
    });
    assert.deepEqual(d.resets, []);
  });

  it('reports a counter that went backwards as 0 and names it', () => {
    const d = counterDelta({ TcpOutRsts: 100, TcpInSegs: 5 }, { TcpOutRsts: 7, TcpInSegs: 9 });
    assert.deepEqual(d.delta, { TcpOutRsts: 0, TcpInSegs: 4 });
    assert.deepEqual(d.resets, ['TcpOutRsts']);
  });

  it('counts a counter the earlier reading lacked from 0', () => {
    assert.deepEqual(counterDelta({}, { TcpExtTCPMigrateReqSuccess: 2 }).delta, {
      TcpExtTCPMigrateReqSuccess: 2,
    });
  });
});

describe('counterRates', () => {
  it('divides by the elapsed seconds and leaves gauges out', () => {
    assert.deepEqual(counterRates({ TcpActiveOpens: 15, TcpCurrEstab: 40 }, 2), { TcpActiveOpens: 7.5 });
    assert.deepEqual(counterRates({ TcpActiveOpens: 15 }, 0), {}, 'no time, no rate');
  });

  it('knows the gauges nstat leaves out, and MPTCP current connections', () => {
    for (const g of ['TcpCurrEstab', 'TcpRtoMin', 'IpForwarding', 'MPTcpExtMPCurrEstab'])
      assert.ok(isGauge(g), g);
    assert.ok(!isGauge('TcpActiveOpens'));
    assert.equal(GAUGES.size, 8);
  });
});
