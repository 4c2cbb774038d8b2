#!/usr/bin/env node
// The capture reader alone over a file: every record decoded to a WirePacket, nothing else (the
// flow table is not involved). Prints packets, wall and CPU seconds, ns per record (wall and CPU: on
// a busy machine the CPU figure is the steadier) and peak RSS as JSON.
//   node walk.mjs FILE
import { readCaptureFile } from '../../build/src/capture/index.js';

const file = process.argv[2];
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let n = 0;
let check = 0;
const stats = await readCaptureFile(file, (p) => {
  n++;
  check ^= p.seq ^ p.sport;
});
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(c0);
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify({
    file,
    format: stats.format,
    records: stats.records,
    packets: n,
    seconds: Math.round(s * 1000) / 1000,
    nsPerRecord: Math.round((s * 1e9) / Math.max(1, stats.records)),
    cpuSeconds: Math.round(cpuS * 1000) / 1000,
    cpuNsPerRecord: Math.round((cpuS * 1e9) / Math.max(1, stats.records)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    skipped: stats.skipped,
    check,
  }),
);
