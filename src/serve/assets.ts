/**
 * The page's files, built by the build step into `dist/web/` and read into memory once: served by
 * exact name from that map only, so no path a client sends ever reaches the file system.
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.js';

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** dist/web beside the bundle (dist/tcpscope.cjs), or from tsc's output (build/src/serve/). */
function webDir(): string {
  const candidates = [new URL('./web/', import.meta.url), new URL('../../../dist/web/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new EnvironmentError('the page is not built (dist/web/index.html is missing): run npm run build');
}

export function loadAssets(): Map<string, Asset> {
  const dir = webDir();
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const type = TYPES[ext];
    if (!type) continue;
    const body = readFileSync(`${dir}${name}`);
    out.set(name, { type, body, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  }
  return out;
}
