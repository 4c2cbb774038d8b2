/**
 * Synthetic captures: `conns` connections interleaved, each a handshake, `exchanges` request and
 * answer pairs of random sizes with their ACKs, and a close by either end (documentation addresses,
 * never on a network). Deterministic for a seed.
 */
import type { WirePacket } from '../../src/net/packet.js';
import { seededInts } from '../helpers/random.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const PSH = 0x08;

export function synthetic(conns: number, exchanges: number, seed = 1): WirePacket[] {
  const rnd = seededInts(seed);
  const out: WirePacket[] = [];
  const live: { gen: Generator<Omit<WirePacket, 'timeUs' | 'offset'>> }[] = [];
  let started = 0;
  let t = 1_700_000_000_000_000;
  while (started < conns || live.length > 0) {
    if (started < conns && (live.length < 64 || rnd(4) === 0)) live.push({ gen: one(started++) });
    const i = rnd(live.length);
    const next = live[i]!.gen.next();
    if (next.done) live.splice(i, 1);
    else {
      t += 1 + rnd(50);
      out.push({ ...next.value, timeUs: t, offset: out.length });
    }
  }
  return out;

  function* one(k: number): Generator<Omit<WirePacket, 'timeUs' | 'offset'>> {
    const c = { a: `198.51.100.${1 + (k % 250)}`, p: 1024 + (Math.floor(k / 250) % 60000) };
    const s = { a: '203.0.113.1', p: 443 };
    const mk = (from: 'c' | 's', flags: number, seq: number, ack: number, len = 0) => {
      const [src, dst] = from === 'c' ? [c, s] : [s, c];
      return {
        family: 4 as const,
        src: src.a,
        sport: src.p,
        dst: dst.a,
        dport: dst.p,
        seq: seq >>> 0,
        ack: ack >>> 0,
        flags,
        len,
        window: 512,
        iface: 0,
      };
    };
    let cs = rnd(2 ** 32 - 1);
    let ss = rnd(2 ** 32 - 1);
    yield mk('c', SYN, cs, 0);
    yield mk('s', SYN | ACK, ss, cs + 1);
    cs++;
    ss++;
    yield mk('c', ACK, cs, ss);
    for (let e = 0; e < exchanges; e++) {
      const q = 1 + rnd(1400);
      yield mk('c', ACK | PSH, cs, ss, q);
      cs += q;
      let left = 1 + rnd(20_000);
      while (left > 0) {
        const n = Math.min(left, 1448);
        yield mk('s', ACK | PSH, ss, cs, n);
        ss += n;
        left -= n;
        if (rnd(2) === 0) yield mk('c', ACK, cs, ss);
      }
      yield mk('c', ACK, cs, ss);
    }
    const first = rnd(2) === 0 ? 'c' : 's';
    const second = first === 'c' ? 's' : 'c';
    const seqOf = (w: 'c' | 's') => (w === 'c' ? cs : ss);
    const ackOf = (w: 'c' | 's') => (w === 'c' ? ss : cs);
    yield mk(first, FIN | ACK, seqOf(first), ackOf(first));
    if (first === 'c') cs++;
    else ss++;
    yield mk(second, FIN | ACK, seqOf(second), ackOf(second));
    if (second === 'c') cs++;
    else ss++;
    yield mk(first, ACK, seqOf(first), ackOf(first));
  }
}
