#!/usr/bin/env node
// Writes a SYN-flood capture: N SYNs (2,000,000 by default), each from its own source address and
// port in 198.18.0.0/15 (the benchmarking range, RFC 2544), to one server, 20 µs apart, none
// answered: N flows that never complete. A file for the memory bound of `tcpscope pcap`.
//   node bench/pcap/synflood.mjs OUT.pcap [N]
import { closeSync, openSync, writeSync } from 'node:fs';

const [out, nText] = process.argv.slice(2);
if (!out) {
  console.error('usage: synflood.mjs OUT.pcap [N]');
  process.exit(2);
}
const n = Number(nText ?? 2_000_000);
const fd = openSync(out, 'w');
const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(262144, 16);
header.writeUInt32LE(101, 20); // LINKTYPE_RAW: IPv4 packets
writeSync(fd, header);
const REC = 16 + 40;
const batch = Buffer.alloc(REC * 4096);
let t = 1_800_000_000_000_000;
for (let i = 0; i < n; ) {
  let k = 0;
  for (; k < 4096 && i < n; k++, i++) {
    const b = batch.subarray(k * REC, (k + 1) * REC);
    t += 20;
    b.writeUInt32LE(Math.floor(t / 1e6), 0);
    b.writeUInt32LE(t % 1e6, 4);
    b.writeUInt32LE(40, 8);
    b.writeUInt32LE(40, 12);
    const ip = b.subarray(16);
    ip.fill(0);
    ip[0] = 0x45;
    ip.writeUInt16BE(40, 2);
    ip[8] = 64;
    ip[9] = 6;
    // 198.18.0.0/15: 131072 addresses, times the ports below for more sources.
    const src = i % 131072;
    ip[12] = 198;
    ip[13] = 18 + (src >> 16);
    ip[14] = (src >> 8) & 0xff;
    ip[15] = src & 0xff;
    ip.writeUInt32BE(0xc0000201, 16); // 192.0.2.1
    const tcp = ip.subarray(20);
    tcp.writeUInt16BE(1024 + Math.floor(i / 131072), 0);
    tcp.writeUInt16BE(80, 2);
    tcp.writeUInt32BE((i * 2654435761) >>> 0, 4);
    tcp[12] = 0x50;
    tcp[13] = 0x02;
    tcp.writeUInt16BE(64240, 14);
  }
  writeSync(fd, batch, 0, k * REC);
}
closeSync(fd);
console.error(`${out}: ${n} SYNs`);
