/**
 * Property: a flow whose ends are kept as numbers (`FrozenEnds`: while it waits out TIME_WAIT, or
 * while quiet) is the same flow when touched again: with and without, the tracker
 * reaches the same machines (timers included) after every segment and gives the same connections,
 * on random conversations and bulk transfers repeated on their 4-tuples (within TIME_WAIT and after
 * it), SYNs retried, answered late or never, and the real captures of the fixtures. Seeded as every random test (test/helpers/random.ts): TCPSCOPE_SEED=N replays one.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { readCaptureFile } from '../../src/capture/index.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { parseScript, simulate } from '../../src/sim/index.js';
import { seededInts, withSeed } from '../helpers/random.js';
import { edit, edits, script } from './random-traffic.js';
import { capturedArrivals } from './sim-packets.js';
import { synthetic } from './synthetic.js';

/** The same packets again after `shiftsUs` each (the 4-tuples reused). */
function again(packets: readonly WirePacket[], shiftsUs: readonly number[]): WirePacket[] {
  const out = [...packets];
  const last = packets.at(-1)?.timeUs ?? 0;
  let base = 0;
  for (const shift of shiftsUs) {
    base = last + shift - (packets[0]?.timeUs ?? 0);
    for (const p of packets) out.push({ ...p, timeUs: p.timeUs + base });
  }
  return out;
}

interface Run {
  steps: unknown[];
  conns: Conn[];
  /** The most flows frozen at once. */
  frozen: number;
}

/** The tracker over `packets`; with `everyStep`, both ends' machines of every flow after each segment. */
function run(packets: readonly WirePacket[], freeze: boolean, everyStep: boolean): Run {
  const conns: Conn[] = [];
  // Quiet after 3 segments: the captures here are short.
  const t = new FlowTracker({ freeze, idleSegments: 3, onConn: (c) => conns.push(c) });
  const steps: unknown[] = [];
  let frozen = 0;
  for (const p of packets) {
    t.push(p);
    frozen = Math.max(frozen, t.frozenFlows);
    // Copies: the machines change in place. Reading them thaws every flow: only the runs that do not
    // read them see frozen flows touched.
    if (everyStep) steps.push(structuredClone(t.machines()));
  }
  t.finish();
  return { steps, conns, frozen };
}

function same(packets: readonly WirePacket[], label: string): number {
  const plain = run(packets, false, true);
  assert.equal(plain.frozen, 0);
  const stepped = run(packets, true, true);
  stepped.steps.forEach((s, i) => {
    assert.deepEqual(s, plain.steps[i], `${label}: after segment ${i + 1} of ${packets.length}`);
  });
  assert.deepEqual(stepped.conns, plain.conns, label);
  const untouched = run(packets, true, false);
  assert.deepEqual(untouched.conns, plain.conns, label);
  return untouched.frozen;
}

describe('tracker: flows kept as numbers while their ends are gone', () => {
  it('are the same flows on random conversations, their 4-tuples reused within TIME_WAIT and after', () => {
    let frozen = 0;
    fc.assert(
      fc.property(script, edits, fc.constantFrom(1_000_000, 30_000_000, 70_000_000), (text, how, shift) => {
        const packets = again(edit(capturedArrivals(simulate(parseScript(text, 'random'))), how), [shift]);
        frozen += same(packets, text);
      }),
      withSeed({ numRuns: 200 }),
    );
    assert.ok(frozen > 20, `flows were frozen (${frozen})`);
  });

  it('are the same flows on random bulk transfers, repeated', () => {
    let frozen = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), edits, (seed, how) => {
        frozen += same(again(edit(synthetic(6, 3, seed), how), [5_000_000, 65_000_000]), `seed ${seed}`);
      }),
      withSeed({ numRuns: 30 }),
    );
    assert.ok(frozen > 30, `flows were frozen (${frozen})`);
  });

  it('are the same flows when SYNs wait, are retried, and are answered late, refused or never', () => {
    const SYN = 0x02;
    const ACK = 0x10;
    const RST = 0x04;
    let frozen = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const rnd = seededInts(seed);
        const packets: WirePacket[] = [];
        const at = (us: number, p: Omit<WirePacket, 'timeUs' | 'offset' | 'family' | 'iface' | 'window'>) =>
          packets.push({
            ...p,
            timeUs: 1_700_000_000_000_000 + us,
            offset: 0,
            family: 4,
            iface: 0,
            window: 512,
          });
        for (let k = 0; k < 60; k++) {
          const c = { src: `198.51.100.${1 + k}`, sport: 1024 + rnd(60000) };
          const s = { src: '203.0.113.1', sport: 80 };
          const iss = rnd(2 ** 32 - 1);
          const irs = rnd(2 ** 32 - 1);
          const t0 = k * 20_000;
          const syn = { ...c, dst: s.src, dport: s.sport, seq: iss, ack: 0, flags: SYN, len: 0 };
          at(t0, syn);
          // Retried after one second and three, or not.
          const tries = rnd(3);
          for (let r = 1; r <= tries; r++) at(t0 + (2 ** r - 1) * 1_000_000, syn);
          const answer = t0 + (2 ** tries - 1) * 1_000_000 + 1000 + rnd(2_000_000);
          const back = { ...s, dst: c.src, dport: c.sport };
          const how = rnd(3);
          if (how === 0) at(answer, { ...back, seq: 0, ack: (iss + 1) >>> 0, flags: RST | ACK, len: 0 });
          else if (how === 1) {
            at(answer, { ...back, seq: irs, ack: (iss + 1) >>> 0, flags: SYN | ACK, len: 0 });
            at(answer + 100, { ...syn, seq: (iss + 1) >>> 0, ack: (irs + 1) >>> 0, flags: ACK });
          }
        }
        packets.sort((a, b) => a.timeUs - b.timeUs);
        frozen += same(packets, `seed ${seed}`);
      }),
      withSeed({ numRuns: 20 }),
    );
    assert.ok(frozen > 100, `flows were frozen (${frozen})`);
  });

  it('are the same flows on the real captures of the fixtures', async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/capture');
    let frozen = 0;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))) {
      const packets: WirePacket[] = [];
      await readCaptureFile(join(dir, name), (p) => packets.push(p));
      frozen += same(packets, name);
    }
    assert.ok(frozen > 0, `flows were frozen (${frozen})`);
  });
});
