/**
 * Connections to check writers against: those the tracker rebuilds from synthetic traffic and from
 * every recorded capture of test/fixtures/capture.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../../src/capture/index.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import type { WirePacket } from '../../src/net/packet.js';
import { testSeed } from '../helpers/random.js';
import { synthetic } from './synthetic.js';

export async function fixtureConns(): Promise<Conn[]> {
  const conns: Conn[] = [];
  const track = (packets: Iterable<WirePacket>) => {
    const t = new FlowTracker({ onConn: (c) => conns.push(c) });
    for (const p of packets) t.push(p);
    t.finish();
  };
  track(synthetic(40, 3, testSeed()));
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/capture');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))) {
    const packets: WirePacket[] = [];
    await readCaptureFile(join(dir, name), (p) => packets.push(p));
    track(packets);
  }
  return conns;
}
