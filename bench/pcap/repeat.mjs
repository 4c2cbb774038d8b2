#!/usr/bin/env node
// Writes a pcap (little-endian, micro- or nanoseconds) COUNT times into one file, each copy later
// than the one before by the capture's span plus two minutes: a capture COUNT times as long, whose
// 4-tuples come back after more than TIME_WAIT's minute of quiet, as ports come back on a real host.
// bench/pcap/big.sh measures memory on it.
//   node repeat.mjs IN.pcap COUNT OUT.pcap
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const [input, countText, output] = process.argv.slice(2);
const count = Number(countText);
if (!input || !output || !Number.isInteger(count) || count < 1) {
  console.error('usage: node repeat.mjs IN.pcap COUNT OUT.pcap');
  process.exit(2);
}
const CHUNK = 8 << 20;
const fd = openSync(input, 'r');
const head = Buffer.alloc(24);
readSync(fd, head, 0, 24, 0);
if (head.readUInt32LE(0) !== 0xa1b2c3d4 && head.readUInt32LE(0) !== 0xa1b23c4d) {
  console.error(`repeat.mjs: ${input}: not a little-endian pcap`);
  process.exit(2);
}

/** Calls `each(buf, at)` for every record header; the buffer is written out after each chunk. */
function pass(each, out) {
  let buf = Buffer.alloc(CHUNK);
  let pos = 24;
  let have = 0;
  for (;;) {
    const n = readSync(fd, buf, have, buf.length - have, pos);
    pos += n;
    have += n;
    let at = 0;
    while (at + 16 <= have) {
      const len = buf.readUInt32LE(at + 8);
      if (at + 16 + len > have) break;
      each(buf, at);
      at += 16 + len;
    }
    if (out !== undefined) writeSync(out, buf, 0, at);
    if (n === 0) break;
    buf.copy(buf, 0, at, have);
    have -= at;
    if (have === buf.length) buf = Buffer.concat([buf, Buffer.alloc(CHUNK)]);
  }
}

let first = -1;
let last = 0;
pass((b, at) => {
  const s = b.readUInt32LE(at);
  if (first < 0) first = s;
  last = s;
});
const step = last - first + 120;
const out = openSync(output, 'w');
writeSync(out, head);
for (let k = 0; k < count; k++) {
  const shift = k * step;
  pass((b, at) => b.writeUInt32LE(b.readUInt32LE(at) + shift, at), out);
  process.stderr.write(`# copy ${k + 1} of ${count}\n`);
}
closeSync(out);
closeSync(fd);
