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
    targets: { type: 'boolean', default: false },
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
    `| \`${cmd.replace(/node \S*dist\/tcpscope\.[cm]js/, 'tcpscope')}\` | ${m.toFixed(1)} | ${(m / base).toFixed(2)}x |`,
  );
});

/**
 * The targets of issue 3, by table size: [what, command, reference, at most]. Commands are matched
 * with `tcpscope` standing for the built CLI.
 */
function targets(size) {
  if (size >= 50000) {
    return [
      ['count vs ss -tan \\| wc -l', 'tcpscope count', 'ss -tan | wc -l', 0.8],
      ['ls --json vs ss -tan', 'tcpscope ls --json', 'ss -tan', 1.2],
      ['ls -p vs ss -tanp', 'tcpscope ls -p', 'ss -tanp', 1 / 3],
      ['ls -p vs lsof -nP -iTCP', 'tcpscope ls -p', 'lsof -nP -iTCP', 1 / 4],
      ['--version vs node -e 0', 'tcpscope --version', 'node -e 0', undefined],
    ];
  }
  return [
    ['count vs ss -tan', 'tcpscope count', 'ss -tan', 3.5],
    ['--version vs node -e 0', 'tcpscope --version', 'node -e 0', undefined],
  ];
}

if (values.targets) {
  const short = positionals.map((c) => c.replace(/node \S*dist\/tcpscope\.[cm]js/, 'tcpscope'));
  const med = (cmd) => {
    const i = short.indexOf(cmd);
    return i < 0 ? undefined : median(times[i]);
  };
  console.log('');
  console.log('| target | ratio | at most | |');
  console.log('|---|---:|---:|---|');
  for (const [what, cmd, ref, max] of targets(Number(values.label))) {
    const a = med(cmd);
    const b = med(ref);
    if (a === undefined || b === undefined) continue;
    const r = a / b;
    const verdict = max === undefined ? '(reported)' : r <= max ? 'met' : 'missed';
    console.log(
      `| ${what} | ${r.toFixed(2)}x | ${max === undefined ? '' : `${max.toFixed(2)}x`} | ${verdict} |`,
    );
  }
}
