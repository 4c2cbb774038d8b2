import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCounters } from '../../src/kernel/counters.js';
import { GAUGES } from '../../src/stats/counter-delta.js';

// nstat (iproute2) reads a proc tree given as PROC_ROOT: it checks our names and values on both layouts.
const root = fileURLToPath(new URL('../../../test/fixtures/counters/', import.meta.url));

describe('readCounters against nstat on the fixture trees', () => {
  for (const layout of ['current', '4.9-crafted']) {
    it(`names and reads ${layout} as nstat -a does`, () => {
      const procRoot = root + layout;
      const out = execFileSync('nstat', ['-asz', '--json'], {
        env: { PROC_ROOT: procRoot },
        encoding: 'utf8',
      });
      const nstat = (JSON.parse(out) as { kernel: Record<string, number> }).kernel;
      const ours = readCounters({ procRoot }).counters;
      // nstat drops its "useless numbers" (the gauges but MPTCP's, which it does not know).
      const comparable = Object.fromEntries(
        Object.entries(ours).filter(([k]) => !GAUGES.has(k) || k === 'MPTcpExtMPCurrEstab'),
      );
      assert.deepEqual(comparable, nstat);
      assert.deepEqual(Object.keys(comparable), Object.keys(nstat), 'same order');
    });
  }
});
