/**
 * Random traffic for the tracker's property tests: simulator scripts of random calls and network
 * mishaps, and what a capture does to the segments it sees (shows one twice, swaps two, misses one).
 */
import fc from 'fast-check';
import type { WirePacket } from '../../src/net/packet.js';

const side = fc.constantFrom('client', 'server');
const time = fc.integer({ min: 0, max: 2000 });
const call = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('send 100', 'send 1400', 'send 20') },
  { weight: 2, arbitrary: fc.constantFrom('close', 'shutdown', 'read') },
  { weight: 1, arbitrary: fc.constantFrom('abort', 'connect') },
);
const line = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(time, side, call).map(([t, s, c]) => `at ${t}ms ${s} ${c}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('lose', 'delay', 'duplicate', 'reorder'),
        side,
        fc.constantFrom('SYN', 'SYN+ACK', 'ACK', 'FIN', 'DATA'),
        fc.integer({ min: 1, max: 3 }),
      )
      .map(([k, s, spec, n]) => `${k} ${s} ${spec} #${n}${k === 'delay' ? ' 40ms' : ''}`),
  },
);
export const script = fc
  .array(line, { maxLength: 16 })
  .map((lines) =>
    [
      'set client.synRetries 2',
      'set server.synackRetries 2',
      'set client.retries2 3',
      'set server.retries2 3',
      'at 0 server listen',
      'at 1ms client connect',
      ...lines,
    ].join('\n'),
  );
/** What a capture does to the segments: keep, show twice, swap with the next, miss. */
export const edits = fc.array(fc.constantFrom('keep', 'keep', 'keep', 'keep', 'dup', 'swap', 'miss'), {
  minLength: 64,
  maxLength: 64,
});

export function edit(packets: WirePacket[], how: readonly string[]): WirePacket[] {
  const out = [...packets];
  for (let i = 0; i < out.length; i++) {
    const e = how[i % how.length];
    if (e === 'dup') out.splice(i + 1, 0, { ...out[i]! });
    else if (e === 'swap' && i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    else if (e === 'miss') out.splice(i, 1);
  }
  return out;
}
