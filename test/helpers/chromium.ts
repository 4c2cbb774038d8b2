/**
 * Debian's Chromium through playwright-core (never a downloaded browser), headless; inside a test
 * namespace when one is named (a wrapper runs it under `ip netns exec`, so the page is fetched over
 * that namespace's loopback).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A browser; `close()` also removes the wrapper. Fails the test, saying how to get it, without Chromium. */
export async function launchChromium(netns?: string): Promise<{ browser: Browser; close(): Promise<void> }> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: run ./scripts/test-prereqs.sh (Debian package chromium)`,
  );
  let dir: string | undefined;
  let executablePath = CHROMIUM;
  if (netns !== undefined) {
    dir = mkdtempSync(join(tmpdir(), 'tcps-chromium-'));
    executablePath = join(dir, 'chromium');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${netns} ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  const browser = await chromium.launch({ executablePath, args: ARGS });
  return {
    browser,
    async close() {
      await browser.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
