#!/usr/bin/env node
// Runs shell commands in a namespace round-robin, output to /dev/null, and prints the median wall
// time of each with its ratio to the first command. Used by run.sh.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    netns: { type: 'string' },
    rounds: { type: 'string', default: '9' },
    label: { type: 'string', default: '' },
  },
});
const rounds = Number(values.rounds);
const times = positionals.map(() => []);
const rows = () => {
  const out = spawnSync('ip', ['netns', 'exec', values.netns, 'sh', '-c', 'ss -tanH | wc -l'], {
    encoding: 'utf8',
  });
  return out.stdout.trim();
};
console.log(`## ${values.label} sockets requested, ${rows()} in the table; median of ${rounds} rounds`);
for (let r = 0; r < rounds; r++) {
  positionals.forEach((cmd, i) => {
    const t0 = process.hrtime.bigint();
    const res = spawnSync('ip', ['netns', 'exec', values.netns, 'sh', '-c', `${cmd} >/dev/null 2>&1`]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0 && !cmd.startsWith('lsof')) console.error(`# ${cmd}: exit ${res.status}`);
    times[i].push(ms);
  });
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const base = median(times[0]);
console.log('| command | median ms | vs `' + positionals[0] + '` |');
console.log('|---|---:|---:|');
positionals.forEach((cmd, i) => {
  const m = median(times[i]);
  console.log(
    `| \`${cmd.replace(/node \S+\/dist\/tcpscope\.mjs/, 'tcpscope')}\` | ${m.toFixed(1)} | ${(m / base).toFixed(2)}x |`,
  );
});
