import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAggs, decodeValues, encodeAggs, encodeValues } from '../../src/store/codec.js';

describe('store codec', () => {
  it('packs a reading per kind and reads it back, states by name', () => {
    const values = [
      { key: '80', state: 'LISTEN', value: 1 },
      { key: '80', state: 'CLOSE_WAIT', value: 3 },
      { key: '8080', state: 'ESTABLISHED', value: 12 },
      { key: 'retrans/s', state: '', value: 0.3333333 },
    ];
    const packed = encodeValues(values);
    assert.ok(packed instanceof Uint8Array);
    assert.deepEqual(decodeValues(packed), {
      values: [...values.slice(0, 3), { key: 'retrans/s', state: '', value: 0.333 }],
      bad: 0,
    });
  });

  it('packs rollups and gives them back their bucket and kind', () => {
    const a = {
      time: 60_000,
      kind: 'port',
      key: '443',
      state: 'TIME_WAIT',
      n: 6,
      sum: 30,
      min: 2,
      max: 9,
      last: 4,
    };
    assert.deepEqual(decodeAggs(encodeAggs([a]), 60_000, 'port'), { aggs: [a], bad: 0 });
  });

  it('skips what it cannot read and counts it', () => {
    assert.deepEqual(decodeValues('[["80",10,1,99,4],[7],"x"]'), {
      values: [{ key: '80', state: 'LISTEN', value: 1 }],
      bad: 3,
    });
    assert.deepEqual(decodeValues(new Uint8Array([1, 2, 3])), { values: [], bad: 0 });
    assert.equal(decodeAggs('[["80",1,1,1,1,1]]', 0, 'port').bad, 1);
  });
});
