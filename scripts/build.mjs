#!/usr/bin/env node
// Builds tcpscope: type-checks and emits src/ and test/ to build/ (tsc), then bundles the CLI into
// dist/tcpscope.mjs (esbuild), so that start-up loads one module instead of dozens.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
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
rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
await esbuild.build({
  entryPoints: { tcpscope: join(root, 'src/cli/main.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // koffi carries a native binary: it stays an ordinary import resolved from node_modules.
  external: ['koffi'],
  // Commands load their heavy parts with import(): those become chunks that `ls` never reads.
  splitting: true,
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/tcpscope.mjs'), 0o755);
