import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downsampleMax, sparkline } from '../../src/render/sparkline.js';

describe('sparkline', () => {
  it('draws a rise from the lowest block to the highest', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([0, 0, 0]), '▁▁▁');
    assert.equal(sparkline([5, 5]), '▄▄');
    assert.equal(sparkline([]), '');
  });

  it('keeps a short burst when it narrows a long series', () => {
    const values = Array(1000).fill(1) as number[];
    values[517] = 90;
    const line = sparkline(values, 20);
    assert.equal(line.length, 20);
    assert.equal([...line].filter((c) => c === '█').length, 1);
    assert.deepEqual(downsampleMax([1, 9, 2, 3], 2), [9, 3]);
  });

  it('scales a series far above zero between its own bounds', () => {
    assert.equal(sparkline([1000, 1007]), '▁█');
  });
});
