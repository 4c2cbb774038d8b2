/**
 * Captures made from simulations: the segments that arrived, in arrival order, as a capture reader
 * would yield them (the client at 192.0.2.1, the server at 192.0.2.2, other senders at 192.0.2.9;
 * documentation addresses, never on a network).
 */

import type { WirePacket } from '../../src/net/packet.js';
import type { SimResult } from '../../src/sim/index.js';

const HOSTS: Record<string, string> = { client: '192.0.2.1', server: '192.0.2.2' };

export function capturedArrivals(res: SimResult, startUs = 1_700_000_000_000_000): WirePacket[] {
  return res.events
    .filter((e) => e.kind === 'arrive' && e.packet)
    .map((e, i) => {
      const p = e.packet!;
      return {
        timeUs: startUs + Math.round(e.time * 1000),
        family: 4 as const,
        src: HOSTS[p.from.host] ?? '192.0.2.9',
        dst: HOSTS[p.to.host] ?? '192.0.2.9',
        sport: p.from.port,
        dport: p.to.port,
        seq: p.segment.seq,
        ack: p.segment.ack,
        flags: p.segment.flags,
        len: p.segment.len,
        window: 65535,
        iface: 0,
        offset: i,
      };
    });
}
