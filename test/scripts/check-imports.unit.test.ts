/**
 * The layering check (scripts/check-imports.mjs) on small trees made for each case: a new file is
 * fenced by its folder, name or opening comment without being listed anywhere; what a pure file
 * imports is held pure too; type-only imports run nothing; only entry points and the lab touch
 * `process`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/check-imports.mjs', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the check on a tree of `files` (path under src/ -> text); its exit status and complaints. */
function check(files: Record<string, string>): { status: number | null; problems: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tcpscope-check-imports-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, '--src', dir], { encoding: 'utf8' });
  const problems = r.stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^check-imports: /, ''));
  return { status: r.status, problems };
}

const FS = "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n";

describe('check-imports', () => {
  it('passes a tree that keeps the fences', () => {
    const r = check({
      'doctor/table.ts':
        "import { parseThing } from '../kernel/parse-thing.js';\nexport const t = parseThing;\n",
      'kernel/parse-thing.ts': 'export const parseThing = (s: string) => s.length;\n',
      'kernel/reader.ts': `${FS}import { parseThing } from './parse-thing.js';\nexport const p = parseThing;\n`,
      'doctor/uses-type.ts': "import type { X } from '../kernel/reader-types.js';\nexport type Y = X;\n",
      'kernel/reader-types.ts': 'export type X = number;\n',
      'cli/main.ts': 'process.exitCode = 0;\n',
      'lab/kill.ts': "export const k = (pid: number) => process.kill(pid, 'SIGKILL');\n",
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.status, 0);
  });

  it('fences a new file in a pure folder without a list', () => {
    const r = check({ 'flow/new-table.ts': FS });
    assert.equal(r.status, 1);
    assert.match(r.problems.join('\n'), /^flow\/new-table\.ts: pure by its folder.* uses node:fs$/m);
  });

  it('fences a new file in an I/O folder that calls itself pure, or is named a parser', () => {
    const r = check({
      'snapshot/new-helper.ts': `/**\n * Groups sockets. Pure.\n */\n${FS}`,
      'capture/parse-frame.ts': FS,
      'capture/live.ts': FS,
    });
    assert.equal(r.status, 1);
    const text = r.problems.join('\n');
    assert.match(text, /^snapshot\/new-helper\.ts: pure/m);
    assert.match(text, /^capture\/parse-frame\.ts: pure/m);
    assert.doesNotMatch(text, /capture\/live\.ts/, 'a reader in an I/O folder may do I/O');
  });

  it('holds what a pure file imports pure, through any chain, but not through import type', () => {
    const r = check({
      'doctor/rules/x.ts': "import { h } from '../../snapshot/helper.js';\nexport const x = h;\n",
      'snapshot/helper.ts': "import { read } from './reader.js';\nexport const h = read;\n",
      'snapshot/reader.ts': FS,
      'doctor/gather.ts': FS,
    });
    assert.equal(r.status, 1);
    assert.deepEqual(
      r.problems,
      ['snapshot/reader.ts: imported by pure snapshot/helper.ts, but uses node:fs'],
      "the doctor's reader may read",
    );
  });

  it('lets only entry points and the lab touch process, and never a pure file', () => {
    const r = check({
      'kernel/platform.ts': 'export const arch = process.arch;\n',
      'lab/holder-main.ts': 'process.exitCode = 0;\n',
      'sim/clock.ts': '// process.hrtime would do: no.\nexport const now = () => process.hrtime();\n',
      'render/text.ts': "export const s = 'the process. Pure text';\n",
    });
    assert.equal(r.status, 1);
    assert.deepEqual(r.problems.map((p) => p.replace(/ \(only entry points and .*\)$/, '')).sort(), [
      'kernel/platform.ts: touches process',
      'sim/clock.ts: pure by its folder, name or opening comment, but uses process',
      'sim/clock.ts: touches process',
    ]);
  });

  it('finds import cycles', () => {
    const r = check({
      'net/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'net/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
    });
    assert.equal(r.status, 1);
    assert.match(r.problems.join('\n'), /import cycle: net\/a\.ts -> net\/b\.ts -> net\/a\.ts/);
  });
});
