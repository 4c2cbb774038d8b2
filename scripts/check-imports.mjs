#!/usr/bin/env node
// Checks the layering of src/ (see ARCHITECTURE.md): no import cycles; `tcp/` imports nothing of the
// project; pure modules import no I/O; sources never import surfaces. Exits 1 with one line per breach.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Files that must stay pure: no file system, network, processes or clock of their own. */
const PURE = [
  /^tcp\//,
  /^net\//,
  /^render\//,
  /^sim\//,
  /^kernel\/_?parse-/,
  /^kernel\/proc-net-tcp\.ts$/,
  /^kernel\/counters-(parse-[a-z0-9]+|types)\.ts$/,
  /^stats\/(counter-delta|sar|nstat)\.ts$/,
  /^lab\/(scenario|sockaddr|ss|match|catalog|catalog-types|catalog-situations)\.ts$/,
  /^doctor\/(rules\/|config|diagnose|evidence|explain|types)/,
  /^kernel\/netlink\/(wire|walk|record|parse|request|bytecode|tcp-info|json-writer)\.ts$/,
  /^capture\/(?!read\.ts$|tcpdump\.ts$|index\.ts$)/,
  /^snapshot\/(filter|attribute|aggregate|sort|who|overview|kernel-filter)\.ts$/,
];
const IO_MODULES = /^node:(fs|net|child_process|dgram|http|https|worker_threads|os)(\/|$)/;
/** Folders a folder must not import from. */
const FORBIDDEN = {
  tcp: ['*'],
  net: ['*'],
  kernel: ['cli', 'server', 'web', 'doctor', 'lab'],
  snapshot: ['cli', 'server', 'web'],
  render: ['cli', 'server', 'kernel'],
  stats: ['cli', 'server', 'web', 'render'],
  lab: ['cli', 'server', 'web'],
  sim: ['cli', 'server', 'web', 'kernel', 'lab'],
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = walk(src);
const graph = new Map();
const problems = [];
const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

for (const file of files) {
  const rel = relative(src, file);
  const top = rel.split('/')[0];
  const deps = [];
  for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const targetRel = relative(src, target);
      deps.push(target);
      const targetTop = targetRel.split('/')[0];
      const banned = FORBIDDEN[top] ?? [];
      if (targetTop !== top && (banned.includes('*') || banned.includes(targetTop))) {
        problems.push(`${rel}: imports ${targetRel} (${top}/ may not import ${targetTop}/)`);
      }
    } else if (PURE.some((re) => re.test(rel)) && IO_MODULES.test(spec)) {
      problems.push(`${rel}: pure module imports ${spec}`);
    }
  }
  graph.set(file, deps);
}

const state = new Map();
function visit(file, path) {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'open') {
    const cycle = path
      .slice(path.indexOf(file))
      .concat(file)
      .map((f) => relative(src, f));
    problems.push(`import cycle: ${cycle.join(' -> ')}`);
    return;
  }
  state.set(file, 'open');
  for (const d of graph.get(file) ?? []) visit(d, [...path, file]);
  state.set(file, 'done');
}
for (const f of files) visit(f, []);

for (const p of problems) console.error(`check-imports: ${p}`);
if (problems.length) process.exitCode = 1;
else console.log(`check-imports: ${files.length} files, layering ok, no cycles`);
