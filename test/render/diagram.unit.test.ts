/**
 * The state diagram renderers: the SVG (well-formed: diagram-png.test.ts parses it in Chromium) has every state and every transition, its
 * hand-made layout joins the right boxes without crossing lines; the text, Mermaid and DOT forms
 * carry the same graph; counts, paths, highlight and Chinese labels show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BOX, EDGE_XY, SIZE, STATE_XY } from '../../src/render/diagram-svg-layout.js';
import {
  DIAGRAM_EDGES,
  type DiagramOptions,
  diagramDot,
  diagramMermaid,
  diagramSvg,
  diagramText,
  ladderSvg,
  onPath,
  stateCountsFromJson,
} from '../../src/render/index.js';
import { displayWidth } from '../../src/render/text-canvas.js';
import { builtinScenario, SCENARIO_IDS, simulate } from '../../src/sim/index.js';
import { TCP_STATES } from '../../src/tcp/index.js';

const base: DiagramOptions = { path: 'all', lang: 'en' };
const VARIANTS: DiagramOptions[] = [
  base,
  { path: 'client', lang: 'en' },
  { path: 'server', lang: 'zh' },
  { path: 'both', lang: 'en', highlight: 'CLOSE_WAIT', counts: { ESTABLISHED: 1234, CLOSE_WAIT: 7 } },
  { path: 'all', lang: 'zh', counts: {} },
];

describe('state diagram: SVG', () => {
  it('contains every state and every transition, in every variant', () => {
    for (const v of VARIANTS) {
      for (const theme of ['auto', 'light', 'dark'] as const) {
        const svg = diagramSvg({ ...v, theme });
        assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), JSON.stringify(v));
        for (const s of TCP_STATES) assert.ok(svg.includes(`data-state="${s}"`) && svg.includes(`>${s}<`), s);
        for (const e of DIAGRAM_EDGES) assert.ok(svg.includes(`data-edge="${e.id}"`), e.id);
      }
    }
  });

  it('fades the transitions off the chosen path and marks the highlighted state', () => {
    const svg = diagramSvg({ path: 'client', lang: 'en', highlight: 'TIME_WAIT' });
    for (const e of DIAGRAM_EDGES) {
      const faded = svg.includes(`<g class="tr faded" data-edge="${e.id}"`);
      assert.equal(faded, !onPath(e, 'client'), e.id);
    }
    assert.ok(svg.includes('<g class="st hl" data-state="TIME_WAIT">'));
    assert.match(diagramSvg({ ...base, counts: { ESTABLISHED: 1234 } }), />1234</);
    assert.match(diagramSvg({ ...base, lang: 'zh' }), /TCP 状态转换图/);
  });

  it('joins each transition to the borders of its two boxes, inside the canvas', () => {
    const near = (state: keyof typeof STATE_XY, [x, y]: readonly [number, number]) => {
      const [cx, cy] = STATE_XY[state];
      const dx = Math.abs(x - cx) - BOX.w / 2;
      const dy = Math.abs(y - cy) - BOX.h / 2;
      return Math.max(dx, dy) <= 1 && Math.max(dx, dy) >= -BOX.h / 2;
    };
    for (const e of DIAGRAM_EDGES) {
      const pts = EDGE_XY[e.id]!.points;
      assert.ok(near(e.from, pts[0]!), `${e.id} leaves ${e.from}`);
      assert.ok(near(e.to, pts[pts.length - 1]!), `${e.id} reaches ${e.to}`);
      for (const [x, y] of pts) assert.ok(x > 0 && x < SIZE.width && y > 0 && y < SIZE.height, e.id);
    }
  });

  it('has no two transitions crossing each other', () => {
    type P = readonly [number, number];
    const segs = DIAGRAM_EDGES.flatMap((e) => {
      const pts = EDGE_XY[e.id]!.points;
      return pts.slice(1).map((p, i) => ({ id: e.id, a: pts[i]!, b: p }));
    });
    const cross = (p1: P, p2: P, p3: P, p4: P) => {
      const d = (a: P, b: P, c: P) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
      const d1 = d(p3, p4, p1);
      const d2 = d(p3, p4, p2);
      const d3 = d(p1, p2, p3);
      const d4 = d(p1, p2, p4);
      return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
    };
    for (let i = 0; i < segs.length; i++) {
      for (let j = i + 1; j < segs.length; j++) {
        const s = segs[i]!;
        const t = segs[j]!;
        if (s.id === t.id) continue;
        assert.ok(!cross(s.a, s.b, t.a, t.b), `${s.id} crosses ${t.id}`);
      }
    }
  });
});

describe('state diagram: text, Mermaid, DOT', () => {
  it('draws every state in a 100-column terminal, in English and Chinese', () => {
    for (const v of VARIANTS) {
      const text = diagramText(v);
      for (const s of TCP_STATES) assert.ok(text.includes(s), s);
      for (const line of text.split('\n')) assert.ok(displayWidth(line) <= 100, line);
    }
    // The figure, without the legend's samples of each line.
    const client = diagramText({ path: 'client', lang: 'en' }).split('client path')[0]!;
    assert.ok(
      client.includes('━') && !client.includes('╍'),
      'the client path alone is heavy, no dashed server path',
    );
    assert.match(diagramText({ ...base, counts: { TIME_WAIT: 42 } }), /─ 42 ─/);
    assert.match(diagramText({ ...base, lang: 'zh' }), /被动打开/);
  });

  it('colours through the styler it is given, and not otherwise', () => {
    const seen = new Set<string>();
    diagramText({ ...base, highlight: 'LISTEN' }, (role, text) => {
      seen.add(role);
      return text;
    });
    assert.deepEqual([...seen].sort(), ['changed', 'client', 'dim', 'server', 'title']);
    assert.ok(!diagramText(base).includes('\x1b['));
  });

  it('gives Mermaid one line and one style per transition on the path', () => {
    for (const v of VARIANTS) {
      const m = diagramMermaid(v);
      const edges = DIAGRAM_EDGES.filter((e) => onPath(e, v.path));
      assert.ok(m.startsWith('flowchart TD\n'));
      assert.equal((m.match(/ (==|--|-\.) "/g) ?? []).length, edges.length);
      assert.equal((m.match(/linkStyle \d+ /g) ?? []).length, edges.length);
      for (const e of edges) assert.ok(m.includes(`  ${e.from} `) && m.includes(` ${e.to}\n`), e.id);
    }
  });

  it('gives DOT every node and edge, with positions for neato -n', () => {
    const d = diagramDot({ ...base, highlight: 'CLOSING', counts: { ESTABLISHED: 3 } });
    assert.ok(d.startsWith('digraph tcp_states {') && d.trimEnd().endsWith('}'));
    for (const s of TCP_STATES)
      assert.match(d, new RegExp(`  ${s} \\[label="${s}\\\\n[^"]+", pos="\\d+,\\d+!"`));
    assert.equal((d.match(/ -> /g) ?? []).length, DIAGRAM_EDGES.length);
    assert.match(d, /ESTABLISHED \[label="ESTABLISHED\\nESTABLISHED\\n3"/);
    assert.equal((d.match(/\{/g) ?? []).length, (d.match(/\}/g) ?? []).length);
  });
});

describe('ladder SVG', () => {
  it('is drawn for every built-in scenario and names both ends', () => {
    for (const id of SCENARIO_IDS) {
      const svg = ladderSvg(simulate(builtinScenario(id)!), { theme: 'light' });
      assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), id);
      assert.ok(svg.includes('>client<') && svg.includes('>server<'));
    }
  });
});

describe('counts from saved JSON', () => {
  it('reads ls --json and count --json, state names as users write them', () => {
    const ls = {
      time: 'x',
      source: 'procfs',
      sockets: [{ state: 'LISTEN' }, { state: 'ESTABLISHED' }, { state: 'ESTABLISHED' }],
    };
    assert.deepEqual(stateCountsFromJson(ls, 'a.json'), { LISTEN: 1, ESTABLISHED: 2 });
    assert.deepEqual(stateCountsFromJson({ total: 5, states: { 'time-wait': 3, SYN_RECV: 2 } }, 'b.json'), {
      TIME_WAIT: 3,
      SYN_RECV: 2,
    });
  });

  it('rejects other documents with the file name', () => {
    assert.throws(
      () => stateCountsFromJson([1], 'c.json'),
      /c\.json: expected the output of 'tcpscope ls --json'/,
    );
    assert.throws(
      () => stateCountsFromJson({ sockets: [{ state: 'NOPE' }] }, 'd.json'),
      /d\.json: sockets\[0\]: unknown state "NOPE"/,
    );
    assert.throws(() => stateCountsFromJson({ states: { LISTEN: -1 } }, 'e.json'), /whole number/);
  });
});
