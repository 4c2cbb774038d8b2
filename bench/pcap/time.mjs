#!/usr/bin/env node
// Times shell commands side by side on one capture, output to /dev/null: wall seconds (median of
// ROUNDS, or once with --once), peak RSS (GNU time's %M) and the ratio to the reference command
// (tcpdump -r -w /dev/null); ns per packet from the packet count given. Prints a Markdown table.
//   node time.mjs --packets N [--rounds 3] 'CMD' [--once 'CMD'] ...
import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
let packets = 0;
let rounds = 3;
const cmds = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--packets') packets = Number(argv[++i]);
  else if (a === '--rounds') rounds = Number(argv[++i]);
  else if (a === '--once') cmds.push({ cmd: argv[++i], once: true });
  else cmds.push({ cmd: a, once: false });
}

function run(cmd) {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M', 'sh', '-c', `${cmd} >/dev/null 2>/tmp/tcpscope-bench-stderr`],
    {
      encoding: 'utf8',
    },
  );
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [sec, kb] = last.split(' ').map(Number);
  if (r.status !== 0) console.error(`# ${cmd}: exit ${r.status}`);
  return { sec, mb: kb / 1024 };
}

const results = cmds.map(({ cmd, once }) => {
  const runs = Array.from({ length: once ? 1 : rounds }, () => run(cmd));
  const secs = runs.map((r) => r.sec).sort((a, b) => a - b);
  return { cmd, once, sec: secs[Math.floor(secs.length / 2)], mb: Math.max(...runs.map((r) => r.mb)) };
});
const ref = results.find((r) => r.cmd.startsWith('tcpdump')) ?? results[0];
console.log(`| command | seconds | ns/packet | peak RSS MB | vs tcpdump -r |`);
console.log('|---|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| \`${r.cmd}\`${r.once ? ' (once)' : ''} | ${r.sec.toFixed(2)} | ${packets ? Math.round((r.sec * 1e9) / packets) : ''} | ${r.mb.toFixed(0)} | ${(r.sec / ref.sec).toFixed(2)}x |`,
  );
