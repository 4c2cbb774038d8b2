#!/usr/bin/env node
// Runs shell commands in a namespace round-robin, output to /dev/null, and prints each one's median
// wall time and median peak RSS (GNU time's %M: the largest process of the command, in KB) with
// its time ratio to the first command; then the targets, each with its verdict. Used by run.sh.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
const TIME = '/usr/bin/time';
if (!existsSync(TIME)) {
  console.error('time.mjs: needs GNU time (/usr/bin/time, Debian package "time") for peak RSS');
  process.exit(2);
}
const rounds = Number(values.rounds);
const times = positionals.map(() => []);
const peaks = positionals.map(() => []);
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
    // GNU time writes only %M on its stderr: the command's own output goes to /dev/null inside sh.
    const res = spawnSync(
      'ip',
      ['netns', 'exec', values.netns, TIME, '-f', '%M', 'sh', '-c', `${cmd} >/dev/null 2>&1`],
      { encoding: 'utf8' },
    );
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // lsof exits 1 when some file is unreadable, the doctor when it finds something critical.
    const fine = res.status === 0 || (res.status === 1 && (cmd.startsWith('lsof') || / doctor /.test(cmd)));
    if (!fine) console.error(`# ${cmd}: exit ${res.status}`);
    times[i].push(ms);
    const kb = Number(res.stderr.trim().split('\n').pop());
    if (Number.isFinite(kb)) peaks[i].push(kb);
  });
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const short = positionals.map((c) => c.replace(/node \S*dist\/tcpscope\.[cm]js/, 'tcpscope'));
const base = median(times[0]);
console.log(`| command | median ms | vs \`${short[0]}\` | peak RSS MB |`);
console.log('|---|---:|---:|---:|');
positionals.forEach((_, i) => {
  const m = median(times[i]);
  const mb = peaks[i].length ? (median(peaks[i]) / 1024).toFixed(0) : '?';
  console.log(`| \`${short[i]}\` | ${m.toFixed(1)} | ${(m / base).toFixed(2)}x | ${mb} |`);
});

/**
 * The targets by table size: [what, command, reference, at most], the reference being another
 * command (a time ratio), `ms` (the median wall time) or `MB` (the median peak RSS). `tcpscope`
 * stands for the built CLI.
 */
function targets(size) {
  if (size >= 50000) {
    return [
      ['count vs ss -tan \\| wc -l', 'tcpscope count', 'ss -tan | wc -l', 0.8],
      ['ls --json vs ss -tan', 'tcpscope ls --json', 'ss -tan', 1.2],
      ['ls -p vs ss -tanp', 'tcpscope ls -p', 'ss -tanp', 1 / 3],
      ['ls -p vs lsof -nP -iTCP', 'tcpscope ls -p', 'lsof -nP -iTCP', 1 / 2],
      ['ls -p peak RSS', 'tcpscope ls -p', 'MB', 120],
      ['ls peak RSS', 'tcpscope ls', 'MB', 100],
      ['overview time', 'tcpscope', 'ms', 1000],
      ['overview peak RSS', 'tcpscope', 'MB', 150],
      ['doctor --now time', 'tcpscope doctor --now', 'ms', 1200],
      ['doctor --now peak RSS', 'tcpscope doctor --now', 'MB', 200],
      ['--version vs node -e 0', 'tcpscope --version', 'node -e 0', undefined],
    ];
  }
  return [
    ['count vs ss -tan', 'tcpscope count', 'ss -tan', 3.5],
    ['--version vs node -e 0', 'tcpscope --version', 'node -e 0', undefined],
  ];
}

if (values.targets) {
  const at = (cmd) => short.indexOf(cmd);
  const fmt = (v, ref) =>
    ref === 'ms' ? `${v.toFixed(0)} ms` : ref === 'MB' ? `${v.toFixed(0)} MB` : `${v.toFixed(2)}x`;
  console.log('');
  console.log('| target | measured | at most | |');
  console.log('|---|---:|---:|---|');
  for (const [what, cmd, ref, max] of targets(Number(values.label))) {
    const i = at(cmd);
    if (i < 0) continue;
    let v;
    if (ref === 'ms') v = median(times[i]);
    else if (ref === 'MB') v = peaks[i].length ? median(peaks[i]) / 1024 : undefined;
    else v = at(ref) < 0 ? undefined : median(times[i]) / median(times[at(ref)]);
    if (v === undefined) continue;
    const verdict = max === undefined ? '(reported)' : v <= max ? 'met' : 'missed';
    console.log(`| ${what} | ${fmt(v, ref)} | ${max === undefined ? '' : fmt(max, ref)} | ${verdict} |`);
  }
}
