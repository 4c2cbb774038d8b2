/**
 * Property test of the simulator: any script of calls and network faults runs to an end, and its
 * ladder is consistent: each transition starts from the state the row before showed, and an end
 * that shows a state change names it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseScript, simulate } from '../../src/sim/index.js';

const side = fc.constantFrom('client', 'server');
const time = fc.integer({ min: 0, max: 3000 });
const line = fc.oneof(
  fc
    .tuple(time, side, fc.constantFrom('connect', 'send 100', 'read', 'close', 'shutdown', 'abort'))
    .map(([t, s, c]) => `at ${t}ms ${s} ${c}`),
  fc
    .tuple(
      fc.constantFrom('lose', 'delay', 'duplicate', 'reorder'),
      side,
      fc.constantFrom('SYN', 'SYN+ACK', 'ACK', 'FIN', 'DATA', 'RST'),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([k, s, spec, n]) => `${k} ${s} ${spec} #${n}${k === 'delay' ? ' 40ms' : ''}`),
  fc.tuple(time, side, fc.constantFrom('crash', 'restart')).map(([t, s, c]) => `at ${t}ms ${c} ${s}`),
);
const script = fc
  .tuple(fc.boolean(), fc.array(line, { maxLength: 12 }))
  .map(([listen, lines]) =>
    [
      'set client.synRetries 2',
      'set server.synackRetries 2',
      'set client.retries2 3',
      'set server.retries2 3',
      'set client.orphanRetries 2',
      'set server.orphanRetries 2',
      'set client.read manual',
      ...(listen ? ['at 0 server listen'] : []),
      ...lines,
    ].join('\n'),
  );

describe('simulator properties', () => {
  it('runs any script to its end with a consistent ladder', () => {
    fc.assert(
      fc.property(script, (text) => {
        const res = simulate(parseScript(text, 'random'));
        assert.equal(res.truncated, false, 'ends before the 10-minute limit');
        let prev: Record<string, string> = { client: 'CLOSE', server: 'CLOSE' };
        res.events.forEach((s, i) => {
          assert.equal(s.n, i + 1);
          for (const t of s.transitions) {
            assert.equal(t.from, prev[t.end], `row ${s.n}: ${t.end} leaves the state the ladder showed`);
          }
          for (const end of ['client', 'server'] as const) {
            const named = s.transitions.some((t) => t.end === end);
            if (s.views[end === 'client' ? 0 : 1].state !== prev[end] && !named)
              assert.fail(
                `row ${s.n}: ${end} changed ${prev[end]} -> ${s.views[end === 'client' ? 0 : 1].state} unnamed`,
              );
          }
          if (i > 0) assert.ok(s.time >= res.events[i - 1]!.time, 'time never goes back');
          prev = { client: s.views[0].state, server: s.views[1].state };
        });
      }),
      { numRuns: 400 },
    );
  });
});
