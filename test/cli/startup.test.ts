import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const HOOKS = new URL('./_loaded-hooks.js', import.meta.url).href;

/** The modules of build/src that `tcpscope ARGS` evaluates (the tsc output, module by module). */
function loaded(args: string[]): string[] {
  return loadedUrls(args)
    .filter((u) => u.includes('/build/src/'))
    .map((u) => u.replace(/.*\/build\/src\//, ''));
}

/** Every module file `tcpscope ARGS` evaluates, ours and node_modules'. */
function loadedUrls(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tcps-loaded-'));
  try {
    const log = join(dir, 'log');
    const register = `import{register}from'node:module';register(${JSON.stringify(HOOKS)});`;
    const r = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, MAIN, ...args],
      { encoding: 'utf8', env: { ...process.env, TCPSCOPE_LOADED_LOG: log } },
    );
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(log, 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAVY =
  /^(doctor|lab|sim)\/|^tcp\/knowledge\/(?!lang\.js|types\.js)|^tcp\/fsm|^render\/(explain|diagram|ladder)/;

describe('start-up', () => {
  it('count, ls and --help evaluate none of the doctor, knowledge base, lab or simulator', () => {
    for (const args of [['count'], ['count', '--json'], ['ls', '-l'], ['--help'], ['doctor', '--help']]) {
      const mods = loaded(args);
      assert.ok(mods.includes('cli/program.js'), `${args.join(' ')}: ${mods.join(' ')}`);
      assert.deepEqual(
        mods.filter((m) => HEAVY.test(m)),
        [],
        args.join(' '),
      );
    }
  });

  it('only the history loads SQLite (better-sqlite3 is built for one Node.js)', () => {
    for (const args of [['count'], ['ls', '-l'], ['--help'], ['record', '--help'], ['report', '--help']])
      assert.deepEqual(
        loadedUrls(args).filter(
          (u) => u.includes('/node_modules/better-sqlite3/') || u.includes('/build/src/store/'),
        ),
        [],
        args.join(' '),
      );
  });

  it('a command loads its module when it runs', () => {
    assert.ok(loaded(['explain', 'time-wait']).includes('tcp/knowledge/index.js'));
    assert.ok(loaded(['simulate', '--list']).includes('sim/index.js'));
  });
});
