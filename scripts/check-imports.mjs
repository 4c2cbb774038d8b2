#!/usr/bin/env node
// Checks the layering of src/ (see ARCHITECTURE.md, "Fences"): no import cycles; `tcp/` imports
// nothing of the project; pure modules do no I/O; sources never import surfaces; only entry points
// and the lab touch `process`. Purity goes by folder, file name and a file's own word, never by a
// list of files, so a new file is checked as soon as it exists. Exits 1 with one line per breach.
// `--pure` lists the files held pure; `--src DIR` checks another tree (the tests' fixtures).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcAt = process.argv.indexOf('--src');
const src = srcAt > 0 ? resolve(process.argv[srcAt + 1]) : join(root, 'src');

/** Folders whose every file is pure: no file system, network, processes, native code or `process`. */
const PURE_FOLDERS = ['tcp', 'net', 'render', 'sim', 'flow', 'doctor', 'metrics', 'views'];
/** In a pure folder, the readers that gather its input (`doctor/gather.ts`). */
const READER_NAME = /^gather[a-z0-9-]*\.ts$/;
/** In the other folders, the files that are pure by their name: parsers and shapes. */
const PURE_NAME = /^(parse-[a-z0-9-]+|[a-z0-9-]+-parse-[a-z0-9-]+|([a-z0-9-]+-)?types)\.ts$/;
/**
 * Or by their own word: an opening comment that says "Pure." (or "Pure data.") as a sentence, or
 * "(pure)", "(pure:" after its subject. The check holds the file to it.
 */
const SAYS_PURE = /(^|[.!?]\s+|\*\s+)Pure\b|\(pure[):,]/;
/** Entry points, which own the process: `cli/main.ts`, `lab/holder-main.ts`. */
const ENTRY_NAME = /^([a-z0-9-]+-)?main\.ts$/;
/**
 * Folders that may touch `process` besides the entry points: the lab (its pids, signals, exit hooks)
 * the tracefs source (its instance is removed on exit; a dead owner's leftover is found by pid), the
 * live capture (its tcpdump child is stopped on exit) and the terminal view (raw mode, the alternate
 * screen, restored on every way out).
 */
const PROCESS_FOLDERS = ['lab', 'kernel/tracefs', 'capture', 'watch'];
/** What a pure file may not import. */
const IO_MODULES =
  /^(node:(fs|net|child_process|dgram|http|https|http2|worker_threads|os|module|cluster)(\/|$)|koffi$)/;
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
  probe: ['cli', 'server', 'serve', 'web', 'doctor', 'views', 'metrics'],
  views: ['cli', 'server', 'serve', 'web', 'kernel', 'probe'],
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The comment a file opens with (empty when it opens with code). */
function firstComment(text) {
  return /^\s*\/\*[\s\S]*?\*\//.exec(text)?.[0] ?? '';
}

/** Whether a file (relative to src/) is pure by its folder, name or word; `index.ts` only re-exports. */
function pureByPlace(rel, text) {
  const parts = rel.split('/');
  const name = parts.at(-1);
  if (name === 'index.ts' || ENTRY_NAME.test(name)) return false;
  if (PURE_FOLDERS.includes(parts[0]) && parts.length > 1) return !READER_NAME.test(name);
  return PURE_NAME.test(name) || SAYS_PURE.test(firstComment(text));
}

/** The code without comments, to look for `process.` (the knowledge base says "the process."). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
const PROCESS_USE = /\bprocess\.[A-Za-z_$]|\bfrom\s+['"]node:process['"]/;

/** Whether an import clause brings only types (erased: no code of the target runs). */
function typeOnly(clause) {
  if (clause === undefined) return false;
  const c = clause.trim();
  if (/^type\s/.test(c)) return true;
  const braces = c.indexOf('{');
  if (braces !== 0) return false;
  const names = c.slice(1, c.indexOf('}')).split(',');
  return names.every((n) => !n.trim() || /^type\s/.test(n.trim()));
}

const files = walk(src);
/** Every relative import (types too), for cycles and folder rules. */
const graph = new Map();
/** Imports that run code, for purity. */
const runs = new Map();
/** Files that do I/O themselves, with what they use. */
const io = new Map();
const texts = new Map();
const problems = [];
const importRe = /^\s*(?:import|export)\s([^'"]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

for (const file of files) {
  const rel = relative(src, file);
  const top = rel.split('/')[0];
  const name = rel.split('/').at(-1);
  const text = readFileSync(file, 'utf8');
  const deps = [];
  const valueDeps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[2] ?? m[3];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const targetRel = relative(src, target);
      deps.push(target);
      if (!typeOnly(m[1])) valueDeps.push(target);
      const targetTop = targetRel.split('/')[0];
      const banned = FORBIDDEN[top] ?? [];
      if (targetTop !== top && (banned.includes('*') || banned.includes(targetTop))) {
        problems.push(`${rel}: imports ${targetRel} (${top}/ may not import ${targetTop}/)`);
      }
    } else if (IO_MODULES.test(spec) && !typeOnly(m[1])) {
      io.set(file, spec);
    }
  }
  if (PROCESS_USE.test(code(text))) {
    io.set(file, io.get(file) ?? 'process');
    if (!ENTRY_NAME.test(name) && !PROCESS_FOLDERS.some((f) => rel.startsWith(`${f}/`))) {
      problems.push(`${rel}: touches process (only entry points and ${PROCESS_FOLDERS.join('/, ')}/ may)`);
    }
  }
  graph.set(file, deps);
  runs.set(file, valueDeps);
  texts.set(file, text);
}

// Pure files, and whatever code they import, directly or not: none may do I/O.
const pureBecause = new Map();
const queue = files.filter((f) => pureByPlace(relative(src, f), texts.get(f)));
for (const f of queue) pureBecause.set(f, null);
while (queue.length) {
  const f = queue.shift();
  for (const d of runs.get(f) ?? []) {
    if (!pureBecause.has(d) && graph.has(d)) {
      pureBecause.set(d, f);
      queue.push(d);
    }
  }
}
for (const [f, by] of pureBecause) {
  if (!io.has(f)) continue;
  const why = by ? `imported by pure ${relative(src, by)}` : 'pure by its folder, name or opening comment';
  problems.push(`${relative(src, f)}: ${why}, but uses ${io.get(f)}`);
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

if (process.argv.includes('--pure')) for (const f of pureBecause.keys()) console.log(relative(src, f));
for (const p of problems) console.error(`check-imports: ${p}`);
if (problems.length) process.exitCode = 1;
else
  console.log(`check-imports: ${files.length} files (${pureBecause.size} held pure), layering ok, no cycles`);
