import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ssTcpLine } from '../../src/snapshot/summary.js';

describe('ssTcpLine', () => {
  it('derives the TCP line as ss -s does (iproute2 misc/ss.c print_summary)', () => {
    const sockstat = {
      sockets: { used: 40 },
      TCP: { inuse: 16, orphan: 2, tw: 5, alloc: 30, mem: 36 },
      TCP6: { inuse: 4 },
    };
    assert.deepEqual(ssTcpLine(sockstat, 9), {
      total: 35,
      estab: 9,
      closed: 15,
      orphaned: 2,
      timewait: 5,
    });
    assert.deepEqual(ssTcpLine({}, 0), { total: 0, estab: 0, closed: 0, orphaned: 0, timewait: 0 });
  });
});
