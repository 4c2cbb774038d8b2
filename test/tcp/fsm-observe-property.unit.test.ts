/**
 * Property: an observer's quick step (`observeStep`) does exactly what `stepInPlace` does whenever it
 * takes a segment (the same machine, timers included, and the same transitions, with no anomaly), and
 * leaves the machine untouched when it does not. Random machines in every state, with sequence
 * numbers near each other and near the wrap of 2^32, and random segments aimed at them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ACK,
  createTcb,
  FIN,
  observedTransitions,
  observeStep,
  PSH,
  RST,
  type Segment,
  SYN,
  stepInPlace,
  TCP_STATES,
  type Tcb,
} from '../../src/tcp/index.js';
import { withSeed } from '../helpers/random.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const u32 = (n: number) => n >>> 0;
const near = (base: number) => fc.integer({ min: -3, max: 3 }).map((d) => u32(base + d));

const machine = fc
  .record({
    state: fc.constantFrom(...TCP_STATES),
    passive: fc.boolean(),
    orphan: fc.oneof(
      { weight: 6, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    base: fc.oneof(fc.constant(0xffff_fff0), fc.integer({ min: 0, max: 0xffff_ffff })),
    peer: fc.integer({ min: 0, max: 0xffff_ffff }),
    fresh: fc.boolean(),
    sent: fc.integer({ min: 0, max: 3 }),
    acked: fc.integer({ min: 0, max: 3 }),
    fin: fc.boolean(),
    got: fc.integer({ min: 0, max: 3 }),
    hasIrs: fc.boolean(),
    unread: fc.constantFrom(0, 5),
    ooo: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    rcvWnd: fc.constantFrom(0x3fff_ffff, 65_535, 0, 0x8000_0000),
    retries: fc.constantFrom(0, 0, 2),
    timers: fc.constantFrom('none', 'retransmit', 'time-wait'),
    time: fc.integer({ min: 0, max: 100_000 }),
  })
  .map((m): Mutable<Tcb> => {
    const t = createTcb({ state: m.state, passive: m.passive }) as Mutable<Tcb>;
    t.orphan = m.orphan;
    t.iss = u32(m.base);
    // Fresh: nothing sent yet (a listener, a socket before connect()).
    t.sndNxt = m.fresh ? t.iss : u32(m.base + 1 + m.sent);
    t.sndUna = m.fresh ? t.iss : u32(m.base + Math.min(m.acked, 1 + m.sent));
    if (m.fin) {
      t.finSeq = u32(t.sndNxt - 1);
      t.finQueued = true;
    }
    if (m.hasIrs || m.state !== 'LISTEN') {
      t.irs = u32(m.peer);
      t.rcvNxt = u32(m.peer + 1 + m.got);
    }
    t.unread = m.unread;
    if (m.ooo && t.rcvNxt !== undefined) t.ooo = [{ seq: u32(t.rcvNxt + 10), len: 10, fin: false }];
    t.rcvWnd = m.rcvWnd;
    t.retries = m.retries;
    if (m.timers === 'retransmit') t.timers = { retransmit: m.time + 200 };
    if (m.timers === 'time-wait') t.timers = { 'time-wait': m.time + 60_000 };
    return t;
  });

/** A segment aimed at the machine: its numbers at, just before or just after where they would be. */
function segmentFor(t: Tcb) {
  return fc.record({
    kind: fc.constantFrom('sent', 'recv'),
    flags: fc.constantFrom(
      SYN,
      SYN | ACK,
      ACK,
      ACK | PSH,
      FIN | ACK,
      FIN,
      RST,
      RST | ACK,
      SYN | FIN,
      ACK | FIN | PSH,
    ),
    len: fc.constantFrom(0, 0, 1, 100, 1448),
    seqRecv: near(t.rcvNxt ?? t.irs ?? 0),
    seqSent: near(t.sndNxt),
    ack: fc.oneof(near(t.sndNxt), near(t.sndUna), near(t.rcvNxt ?? 0)),
    time: fc.integer({ min: 0, max: 200_000 }),
  });
}

const copy = (t: Tcb): Tcb => JSON.parse(JSON.stringify(t));

describe('observeStep', () => {
  it('is stepInPlace whenever it takes a segment, and touches nothing when it does not', () => {
    let taken = 0;
    let total = 0;
    fc.assert(
      fc.property(
        machine.chain((t) => fc.tuple(fc.constant(t), segmentFor(t))),
        ([t, s]) => {
          const seg: Segment = {
            seq: s.kind === 'sent' ? s.seqSent : s.seqRecv,
            ack: (s.flags & ACK) !== 0 ? s.ack : 0,
            flags: s.flags,
            len: s.flags & SYN ? 0 : s.len,
          };
          const kind = s.kind as 'sent' | 'recv';
          const quick = { ...t, ooo: [...t.ooo] } as Mutable<Tcb>;
          const full = { ...t, ooo: [...t.ooo] } as Mutable<Tcb>;
          const before = copy(t);
          const out = observedTransitions();
          total++;
          if (!observeStep(quick, kind, seg, s.time, out)) {
            assert.deepEqual(copy(quick), before, 'untouched when not taken');
            return;
          }
          taken++;
          const r = stepInPlace(full, { kind, time: s.time, segment: seg });
          assert.deepEqual(r.anomalies, [], 'no anomaly on the quick path');
          assert.deepEqual(copy(quick), copy(r.tcb));
          const mine = out.from
            .slice(0, out.count)
            .map((from, i) => ({ from, to: out.to[i], cause: out.cause[i] }));
          assert.deepEqual(
            mine,
            r.transitions.map((x) => ({ from: x.from, to: x.to, cause: x.cause })),
          );
        },
      ),
      withSeed({ numRuns: 20_000 }),
    );
    assert.ok(taken > total / 10, `the quick path took ${taken} of ${total} segments`);
  });

  it('takes every segment of an ordinary connection, both ends, from SYN to TIME_WAIT', () => {
    const c = createTcb() as Mutable<Tcb>;
    const s = createTcb({ state: 'LISTEN' }) as Mutable<Tcb>;
    const out = observedTransitions();
    const states: string[] = [];
    const both = (from: Mutable<Tcb>, to: Mutable<Tcb>, seg: Segment, time: number) => {
      assert.ok(observeStep(from, 'sent', seg, time, out), `sent ${JSON.stringify(seg)}`);
      for (let i = 0; i < out.count; i++) states.push(`${from === c ? 'C' : 'S'} ${out.to[i]}`);
      assert.ok(observeStep(to, 'recv', seg, time, out), `recv ${JSON.stringify(seg)}`);
      for (let i = 0; i < out.count; i++) states.push(`${to === c ? 'C' : 'S'} ${out.to[i]}`);
    };
    const ci = 0xffff_fffe;
    const si = 1000;
    both(c, s, { seq: ci, ack: 0, flags: SYN, len: 0 }, 1);
    both(s, c, { seq: si, ack: u32(ci + 1), flags: SYN | ACK, len: 0 }, 2);
    both(c, s, { seq: u32(ci + 1), ack: si + 1, flags: ACK, len: 0 }, 3);
    both(c, s, { seq: u32(ci + 1), ack: si + 1, flags: ACK | PSH, len: 100 }, 4);
    both(s, c, { seq: si + 1, ack: u32(ci + 101), flags: ACK, len: 0 }, 5);
    both(c, s, { seq: u32(ci + 101), ack: si + 1, flags: FIN | ACK, len: 0 }, 6);
    both(s, c, { seq: si + 1, ack: u32(ci + 102), flags: FIN | ACK, len: 0 }, 7);
    both(c, s, { seq: u32(ci + 102), ack: si + 2, flags: ACK, len: 0 }, 8);
    assert.deepEqual(states, [
      'C SYN_SENT',
      'S SYN_RECV',
      'C ESTABLISHED',
      'S ESTABLISHED',
      'C FIN_WAIT1',
      'S CLOSE_WAIT',
      'S LAST_ACK',
      'C FIN_WAIT2',
      'C TIME_WAIT',
      'S CLOSE',
    ]);
    assert.equal(c.timers['time-wait'], 7 + c.limits.timeWaitMs);
  });
});
