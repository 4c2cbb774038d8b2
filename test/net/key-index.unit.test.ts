import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyIndex } from '../../src/net/key-index.js';

describe('key index', () => {
  it('finds every key up to 2^53 it was given, refuses a second add, and grows', () => {
    const idx = new KeyIndex(4);
    const keys = new Map<number, number>();
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const k = (x % 2 ** 22) * 2 ** 31 + ((x * 7) % 2 ** 31) + 1;
      if (keys.has(k)) continue;
      keys.set(k, i);
      assert.equal(idx.add(k, i), true);
    }
    assert.equal(idx.size, keys.size);
    for (const [k, row] of keys) {
      assert.equal(idx.get(k), row);
      assert.equal(idx.add(k, -5), false);
    }
    assert.equal(idx.get(2 ** 53), -1);
    assert.equal(idx.get(1), keys.has(1) ? keys.get(1) : -1);
  });
});
