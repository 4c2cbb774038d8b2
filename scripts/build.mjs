#!/usr/bin/env node
// Builds tcpscope: type-checks and emits src/ and test/ to build/ (tsc), then bundles the CLI into
// dist/tcpscope.cjs (esbuild), so that start-up loads one file instead of dozens.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

// The page of `tcpscope serve` is checked against the DOM's types, apart from the Node.js code.
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'web/tsconfig.json')], {
    stdio: 'inherit',
    cwd: root,
  });
} catch {
  process.exitCode = 1;
  console.error('build: type check of web/ failed');
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
// The program of `pcap`'s worker threads, beside it (the CLI starts it by that name).
await esbuild.build({
  entryPoints: [join(root, 'src/cli/pcap-worker-main.ts')],
  outfile: join(root, 'dist/pcap-worker.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': '__tcpscopeUrl' },
  banner: { js: "const __tcpscopeUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// The page `tcpscope serve` serves from memory: one script with uPlot inside, its styles, the HTML.
// Nothing is loaded from elsewhere, so it works offline.
await esbuild.build({
  entryPoints: [join(root, 'web/app.ts')],
  outfile: join(root, 'dist/web/app.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  logLevel: 'warning',
});
copyFileSync(join(root, 'web/index.html'), join(root, 'dist/web/index.html'));
copyFileSync(join(root, 'web/style.css'), join(root, 'dist/web/style.css'));
copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), join(root, 'dist/web/uplot.css'));
// The name earlier builds had, for whoever runs it.
writeFileSync(join(root, 'dist/tcpscope.mjs'), "#!/usr/bin/env node\nimport './tcpscope.cjs';\n", {
  mode: 0o755,
});
