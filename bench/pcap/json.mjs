#!/usr/bin/env node
// The JSON writer alone: the connections of a capture's first packets, written again and again
// through the writer of `pcap --json` (chunks counted, not kept) until COUNT are written (the bench
// capture's million by default). Prints connections, bytes, seconds, ns per connection and MB/s
// as JSON.
//   node json.mjs FILE [COUNT]
import { readCaptureFile } from '../../build/src/capture/index.js';
import { FlowTracker } from '../../build/src/flow/index.js';
import { ConnJsonWriter } from '../../build/src/render/conn-json-bytes.js';

const file = process.argv[2];
const count = Number(process.argv[3] ?? 1_013_457);
const conns = [];
const tracker = new FlowTracker({ onConn: (c) => conns.length < 20_000 && conns.push(c) });
const stop = new AbortController();
let packets = 0;
await readCaptureFile(
  file,
  (p) => {
    tracker.push(p);
    if (++packets === 400_000) stop.abort();
  },
  { reuse: true, signal: stop.signal },
);
tracker.finish();
let bytes = 0;
const writer = new ConnJsonWriter((b) => {
  bytes += b.length;
}, 64 * 1024);
const t0 = process.hrtime.bigint();
for (let i = 0; i < count; i++) writer.conn(conns[i % conns.length]);
writer.flush();
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  JSON.stringify({
    file,
    distinct: conns.length,
    connections: count,
    bytes,
    seconds: Math.round(s * 1000) / 1000,
    nsPerConnection: Math.round((s * 1e9) / count),
    mbPerSecond: Math.round(bytes / 1e6 / s),
  }),
);
