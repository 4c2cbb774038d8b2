#!/usr/bin/env node
// Builds tcpscope: type-checks and emits src/ and test/ to build/ (tsc), then bundles the CLI into
// dist/tcpscope.cjs (esbuild), so that start-up loads one file instead of dozens.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], {
    stdio: 'inherit',
    cwd: root,
  });
} catch {
  process.exitCode = 1;
  console.error('build: type check failed');
  process.exit();
}

const esbuild = await import('esbuild');

/**
 * commander requires node:child_process for executable subcommands, which tcpscope does not have;
 * loading it drags in net, dgram and their bindings at every start (a few ms). This stands in for it.
 */
const noChildProcessForCommander = {
  name: 'no-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`)
        ? { path: 'child_process', namespace: 'stub' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        "module.exports = { spawn() { throw new Error('tcpscope has no executable subcommands'); } };",
      loader: 'js',
    }));
  },
};
rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
// One CommonJS file: Node starts a CommonJS entry about 6 ms sooner than an ES module (no ESM loader),
// and esbuild keeps every import() lazy inside it (`--version` evaluates nothing else).
await esbuild.build({
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(root, 'dist/tcpscope.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // koffi and better-sqlite3 carry native binaries: they stay ordinary imports resolved from node_modules.
  external: ['koffi', '@koromix/*', 'better-sqlite3'],
  plugins: [noChildProcessForCommander],
  define: { 'import.meta.url': '__tcpscopeUrl' },
  banner: {
    js: "#!/usr/bin/env node\nconst __tcpscopeUrl = require('node:url').pathToFileURL(__filename).href;",
  },
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/tcpscope.cjs'), 0o755);
// The name earlier builds had, for whoever runs it.
writeFileSync(join(root, 'dist/tcpscope.mjs'), "#!/usr/bin/env node\nimport './tcpscope.cjs';\n", {
  mode: 0o755,
});
