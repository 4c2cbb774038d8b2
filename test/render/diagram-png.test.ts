/**
 * The figures as people see them: Debian's Chromium (through playwright-core, never a downloaded
 * browser) renders the SVGs, the test measures the laid-out text with the real fonts (no label
 * overlaps another or a state box; everything inside the picture) and writes PNGs to the git-ignored
 * test/artifacts/ for reviewers to look at. Its XML parser also checks that every SVG the program
 * writes (every diagram variant and theme, every ladder, `tcpscope diagram` and `simulate -o`) is
 * well-formed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { readCaptureFile } from '../../src/capture/index.js';
import { type Conn, FlowTracker } from '../../src/flow/index.js';
import { type DiagramOptions, diagramSvg, ladderSvg } from '../../src/render/index.js';
import { builtinScenario, SCENARIO_IDS, simulate } from '../../src/sim/index.js';
import { tcpscope } from '../cli/_run.js';
import { launchChromium } from '../helpers/chromium.js';

// build/test/render -> <repo>/test/artifacts
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '../../../test/artifacts');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');

interface Box {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

describe('figures rendered by Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let close: () => Promise<void>;
  before(async () => {
    ({ browser, close } = await launchChromium());
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await close?.();
  });

  /** Renders an SVG in a page of its size, screenshots it, returns the boxes of its states and labels. */
  async function render(
    svg: string,
    file: string,
    scheme: 'light' | 'dark',
  ): Promise<{ states: Box[]; labels: Box[]; size: [number, number] }> {
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number) as [number, number, number];
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: w, height: h } });
    try {
      await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
      const path = join(ARTIFACTS, file);
      await page.screenshot({ path, fullPage: true });
      const png = readFileSync(path);
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(png.length > 20_000, `${file}: ${png.length} bytes, a picture with something in it`);
      const boxes = await page.evaluate(() => {
        const box = (el: Element, name: string) => {
          const r = el.getBoundingClientRect();
          return { name, x: r.x, y: r.y, w: r.width, h: r.height };
        };
        return {
          states: [...document.querySelectorAll('[data-state] > rect')].map((el) =>
            box(el, (el.parentElement as Element).getAttribute('data-state') ?? '?'),
          ),
          labels: [...document.querySelectorAll('text.lbl')].map((el) => box(el, el.textContent ?? '')),
        };
      });
      return { ...boxes, size: [w, h] };
    } finally {
      await page.close();
    }
  }

  const overlap = (a: Box, b: Box, pad = 0) =>
    a.x + pad < b.x + b.w && b.x + pad < a.x + a.w && a.y + pad < b.y + b.h && b.y + pad < a.y + a.h;

  function checkLayout(r: { states: Box[]; labels: Box[]; size: [number, number] }, what: string): void {
    assert.equal(r.states.length, 11, `${what}: every state drawn`);
    for (const b of [...r.states, ...r.labels]) {
      assert.ok(
        b.x >= 0 && b.y >= 0 && b.x + b.w <= r.size[0] && b.y + b.h <= r.size[1],
        `${what}: ${b.name} inside`,
      );
    }
    for (let i = 0; i < r.labels.length; i++) {
      for (const s of r.states)
        assert.ok(!overlap(r.labels[i]!, s, 1), `${what}: label '${r.labels[i]!.name}' over ${s.name}`);
      for (let j = i + 1; j < r.labels.length; j++) {
        assert.ok(
          !overlap(r.labels[i]!, r.labels[j]!, 1),
          `${what}: '${r.labels[i]!.name}' over '${r.labels[j]!.name}'`,
        );
      }
    }
  }

  it('renders the diagram in light and dark, its labels clear of each other and of the states', async () => {
    checkLayout(await render(diagramSvg({ path: 'all', lang: 'en' }), 'diagram-light.png', 'light'), 'light');
    checkLayout(await render(diagramSvg({ path: 'all', lang: 'en' }), 'diagram-dark.png', 'dark'), 'dark');
  });

  it('renders the Chinese diagram, and one with counts, a path and a highlight', async () => {
    checkLayout(await render(diagramSvg({ path: 'all', lang: 'zh' }), 'diagram-zh.png', 'light'), 'zh');
    const counts = { ESTABLISHED: 1834, TIME_WAIT: 212, CLOSE_WAIT: 37, LISTEN: 12, SYN_RECV: 3 };
    const svg = diagramSvg({ path: 'both', lang: 'en', counts, highlight: 'CLOSE_WAIT', theme: 'light' });
    checkLayout(await render(svg, 'diagram-counts.png', 'light'), 'counts');
  });

  it('renders ladders: simultaneous close and a lost final ACK', async () => {
    for (const id of ['simultaneous-close', 'lost-final-ack', 'syn-flood']) {
      const r = await render(ladderSvg(simulate(builtinScenario(id)!)), `ladder-${id}.png`, 'light');
      assert.ok(r.size[1] > 400);
    }
  });

  /** The names of the documents the browser's XML parser rejects, with its first line of complaint. */
  async function notWellFormed(docs: { name: string; svg: string }[]): Promise<string[]> {
    const page = await browser.newPage();
    try {
      return await page.evaluate((all) => {
        const bad: string[] = [];
        for (const d of all) {
          const doc = new DOMParser().parseFromString(d.svg, 'image/svg+xml');
          const err = doc.querySelector('parsererror');
          if (err || doc.documentElement.localName !== 'svg') {
            bad.push(`${d.name}: ${(err?.textContent ?? 'not an svg document').split('\n')[0]}`);
          }
        }
        return bad;
      }, docs);
    } finally {
      await page.close();
    }
  }

  it('finds every SVG the program writes well-formed XML (and a broken one not)', async () => {
    const variants: DiagramOptions[] = [
      { path: 'all', lang: 'en' },
      { path: 'client', lang: 'en' },
      { path: 'server', lang: 'zh' },
      { path: 'both', lang: 'en', highlight: 'CLOSE_WAIT', counts: { ESTABLISHED: 1234, CLOSE_WAIT: 7 } },
      { path: 'all', lang: 'zh', counts: {} },
    ];
    const docs: { name: string; svg: string }[] = [];
    for (const v of variants) {
      for (const theme of ['auto', 'light', 'dark'] as const) {
        docs.push({ name: `diagram ${JSON.stringify(v)} ${theme}`, svg: diagramSvg({ ...v, theme }) });
      }
    }
    for (const id of SCENARIO_IDS) {
      for (const theme of ['auto', 'light', 'dark'] as const) {
        docs.push({
          name: `ladder ${id} ${theme}`,
          svg: ladderSvg(simulate(builtinScenario(id)!), { theme }),
        });
      }
    }
    const pipe = await tcpscope(['diagram']);
    assert.equal(pipe.code, 0, pipe.err);
    docs.push({ name: 'tcpscope diagram', svg: pipe.out });
    const dir = mkdtempSync(join(tmpdir(), 'tcpscope-svg-'));
    try {
      const file = join(dir, 'ladder.svg');
      const r = await tcpscope(['simulate', 'lost-final-ack', '-o', file]);
      assert.equal(r.code, 0, r.err);
      docs.push({ name: 'tcpscope simulate -o', svg: readFileSync(file, 'utf8') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await notWellFormed(docs), []);
    const broken = await notWellFormed([
      { name: 'broken', svg: '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>' },
    ]);
    assert.equal(broken.length, 1, 'the check rejects a broken SVG');
  });

  it('shows every arrowhead of every ladder: no state box is drawn over one', async () => {
    const page = await browser.newPage({ viewport: { width: 1860, height: 900 } });
    // The simulator's scenarios, and a connection of a real capture drawn by the same renderer.
    const ladders = SCENARIO_IDS.map((id) => ({ id, svg: ladderSvg(simulate(builtinScenario(id)!)) }));
    const conns: Conn[] = [];
    const tracker = new FlowTracker({ record: (n) => n === 1, onConn: (c) => conns.push(c) });
    await readCaptureFile(join(FIXTURES, 'capture/lo.pcap'), (p) => tracker.push(p));
    tracker.finish();
    const captured = conns.find((c) => c.n === 1)!.trace!;
    ladders.push({ id: 'captured', svg: ladderSvg(captured) });
    try {
      for (const { id, svg } of ladders) {
        await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
        const r = await page.evaluate(() => {
          const box = (el: Element) => {
            const b = el.getBoundingClientRect();
            return { x: b.x, y: b.y, w: b.width, h: b.height };
          };
          return {
            heads: [...document.querySelectorAll('polygon')].map(box),
            states: [...document.querySelectorAll('g.state > rect')].map(box),
          };
        });
        assert.ok(r.heads.length > 0, `${id}: arrowheads drawn`);
        for (const h of r.heads)
          for (const s of r.states)
            assert.ok(
              !overlap({ ...h, name: 'head' }, { ...s, name: 'state' }, 0.5),
              `${id}: arrowhead at ${h.x},${h.y} under a state box`,
            );
      }
    } finally {
      await page.close();
    }
    const png = await render(ladders.at(-1)!.svg, 'ladder-captured.png', 'light');
    assert.ok(png.size[1] > 400);
  });
});
