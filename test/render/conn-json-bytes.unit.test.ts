/**
 * The bytes `pcap --json` writes for a connection are `connJsonText`'s: on the connections of the
 * recorded captures and of synthetic traffic, and on random connections with the numbers and texts
 * a capture rarely gives (durations of days and of fractions of a µs, moments before 1970, addresses
 * that need escaping), through chunks small enough that every connection crosses a boundary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Conn, ConnEnd } from '../../src/flow/index.js';
import { connJsonText } from '../../src/flow/report.js';
import { ConnJsonWriter } from '../../src/render/conn-json-bytes.js';
import { TCP_STATES } from '../../src/tcp/index.js';
import { fixtureConns } from '../flow/conns.js';
import { withSeed } from '../helpers/random.js';

/** Each connection through the writer, with and without its id, as text. */
function written(conns: readonly Conn[], chunkSize: number): { whole: string[]; tails: string[] } {
  const out: Uint8Array[] = [];
  const w = new ConnJsonWriter((b) => out.push(b.slice()), chunkSize);
  const ends: number[] = [];
  for (const c of conns) {
    w.conn(c, true);
    ends.push(w.written);
    w.conn(c, false);
    ends.push(w.written);
  }
  w.flush();
  const all = Buffer.concat(out).toString('utf8');
  const bytes = Buffer.from(all, 'utf8');
  const pieces: string[] = [];
  let at = 0;
  for (const e of ends) {
    pieces.push(bytes.subarray(at, e).toString('utf8'));
    at = e;
  }
  return { whole: pieces.filter((_, i) => i % 2 === 0), tails: pieces.filter((_, i) => i % 2 === 1) };
}

function check(conns: readonly Conn[], chunkSize: number): void {
  const { whole, tails } = written(conns, chunkSize);
  conns.forEach((c, i) => {
    const text = connJsonText(c);
    assert.equal(whole[i], text);
    assert.equal(tails[i], text.slice(text.indexOf(',')));
  });
}

// Names beyond the kernel's too, so that the writer meets more than it keeps by number.
const state = fc.oneof(
  fc.constantFrom(...TCP_STATES),
  fc.constantFrom('X1', 'X2', 'X3', 'X4', 'X5', 'X6') as unknown as fc.Arbitrary<(typeof TCP_STATES)[number]>,
);
const end: fc.Arbitrary<ConnEnd> = fc.record({
  address: fc.oneof(
    fc.constantFrom('127.0.0.1', '::1', '2001:db8::ff00:42:8329', '10.255.255.255'),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  ),
  port: fc.integer({ min: 0, max: 65535 }),
  states: fc.array(
    fc.record({
      state,
      atUs: fc.oneof(
        fc.integer({ min: 1_700_000_000_000_000, max: 1_900_000_000_000_000 }),
        fc.integer({ min: -5_000_000, max: 5_000_000 }),
        fc.double({ min: 0, max: 2e15, noNaN: true }),
      ),
    }),
    { maxLength: 14 },
  ),
  packets: fc.nat(),
  bytes: fc.maxSafeNat(),
  retransmissions: fc.nat(),
});
const conn: fc.Arbitrary<Conn> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 ** 31 }),
    family: fc.constantFrom(4 as const, 6 as const),
    client: end,
    server: end,
    startUs: fc.integer({ min: 1_700_000_000_000_000, max: 1_900_000_000_000_000 }),
    duration: fc.oneof(
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.constantFrom(0, 1, 10, 100, 1000, 1001, 1010, 1100, 2 ** 40 - 1, 2 ** 40, 2 ** 45 + 7),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.integer({ min: -1000, max: -1 }),
    ),
    midstream: fc.boolean(),
    connState: fc.constantFrom('S0', 'SF', 'REJ', 'RSTO', 'OTH'),
    history: fc.stringMatching(/^[ShADadFfRrTtWwGgQq^]{0,12}$/),
    firstClose: fc.option(
      fc.record({
        end: fc.constantFrom('client' as const, 'server' as const),
        how: fc.constantFrom('FIN' as const, 'RST' as const),
      }),
      { nil: undefined },
    ),
    anomalies: fc.uniqueArray(fc.constantFrom('rst', 'midstream', 'zero-window', 'half-close', 'evicted'), {
      maxLength: 3,
    }),
  })
  .map(({ duration, firstClose, ...c }) => ({
    ...c,
    lastUs: c.startUs + duration,
    ...(firstClose ? { firstClose } : {}),
  }));

describe('pcap --json bytes', () => {
  it('are connJsonText on the recorded captures and synthetic traffic', async () => {
    const conns = await fixtureConns();
    assert.ok(conns.length > 40 && conns.some((c) => c.family === 6) && conns.some((c) => c.firstClose));
    check(conns, 256 * 1024);
    check(conns, 512);
  });

  it('are connJsonText on random connections', () => {
    fc.assert(
      fc.property(
        fc.array(conn, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(64, 700, 65536),
        (conns, size) => check(conns, size),
      ),
      withSeed({ numRuns: 2000 }),
    );
  });
});
