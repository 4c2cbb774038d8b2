/**
 * The state diagram as SVG, laid out by hand (diagram-svg-layout.ts): the client path solid, the
 * server path dashed, other transitions thin, Linux's own dotted; themeable (light, dark, or the
 * reader's preference); optional socket counts, a highlighted state, English or Chinese labels.
 */
import { stateInfo, type TcpState } from '../tcp/index.js';
import {
  DIAGRAM_EDGES,
  DIAGRAM_TEXT,
  type DiagramEdge,
  type DiagramOptions,
  onPath,
  type PathKind,
  STATE_ZH,
  statesOnPath,
} from './diagram-model.js';
import { BOX, EDGE_XY, SIZE, STATE_XY } from './diagram-svg-layout.js';
import { el, group, svgOpen, type Theme, themeStyle } from './svg.js';

const KINDS: readonly PathKind[] = ['client', 'server', 'other', 'linux'];
const CSS =
  '.bg{fill:var(--bg)}text{fill:var(--fg)}.muted{fill:var(--muted)}' +
  '.title{font-size:24px;font-weight:700}.sub{font-size:13px}' +
  '.edge{fill:none;stroke-linejoin:round}' +
  '.e-client{stroke:var(--client);stroke-width:3}.e-server{stroke:var(--server);stroke-width:3;stroke-dasharray:10 6}' +
  '.e-other{stroke:var(--other);stroke-width:1.6}.e-linux{stroke:var(--other);stroke-width:1.6;stroke-dasharray:2 4}' +
  '.e-hl{stroke:var(--accent);stroke-width:4}' +
  '.a-client{fill:var(--client)}.a-server{fill:var(--server)}.a-other,.a-linux{fill:var(--other)}.a-hl{fill:var(--accent)}' +
  '.lbl{font-size:12.5px;paint-order:stroke;stroke:var(--bg);stroke-width:5px;stroke-linejoin:round}' +
  '.l-client{fill:var(--client)}.l-server{fill:var(--server)}' +
  '.st>rect{fill:var(--box);stroke:var(--line);stroke-width:1.5}.st .name{font-size:15px;font-weight:700}' +
  '.st .rfc{font-size:11px;fill:var(--muted)}.st.hl>rect{fill:var(--accent-bg);stroke:var(--accent);stroke-width:3.5}' +
  '.badge rect{fill:var(--badge)}.badge text{fill:var(--badge-fg);font-size:12px;font-weight:700}' +
  '.zero rect{fill:var(--other)}.faded{opacity:.13}.dim{opacity:.35}';

/** The diagram as a standalone SVG document. */
export function diagramSvg(opts: DiagramOptions & { theme?: Theme }): string {
  const t = DIAGRAM_TEXT[opts.lang];
  const visible = statesOnPath(opts.path);
  const parts: string[] = [el('rect', { class: 'bg', width: SIZE.width, height: SIZE.height }), markers()];
  parts.push(el('text', { class: 'title', x: 30, y: 44 }, t['title']!));
  parts.push(el('text', { class: 'sub muted', x: 30, y: 66 }, t['names']!));
  // Other transitions first, so the two classic paths are drawn over them.
  const order = [...DIAGRAM_EDGES].sort((a, b) => rank(a) - rank(b));
  for (const edge of order) parts.push(edgeSvg(edge, opts));
  for (const [state] of Object.entries(STATE_XY) as [TcpState, unknown][]) {
    parts.push(stateSvg(state, opts, visible.has(state)));
  }
  parts.push(legend(opts));
  const title = `${t['title']} (${opts.path})`;
  return `${svgOpen(SIZE.width, SIZE.height, title)}${themeStyle(opts.theme ?? 'auto', CSS)}${parts.join('')}</svg>\n`;
}

function rank(e: DiagramEdge): number {
  return e.path === 'client' || e.path === 'server' ? 1 : 0;
}

function markers(): string {
  const defs = [...KINDS, 'hl'].map(
    (k) =>
      `<marker id="ah-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${k === 'client' || k === 'server' || k === 'hl' ? 3.6 : 6}" markerHeight="${k === 'client' || k === 'server' || k === 'hl' ? 3.6 : 6}" orient="auto-start-reverse" markerUnits="strokeWidth">` +
      `<path class="a-${k}" d="M0,0 L10,5 L0,10 z"/></marker>`,
  );
  return `<defs>${defs.join('')}</defs>`;
}

function edgeSvg(edge: DiagramEdge, opts: DiagramOptions): string {
  const lay = EDGE_XY[edge.id]!;
  const hl = opts.highlight !== undefined && (edge.from === opts.highlight || edge.to === opts.highlight);
  const kind = hl ? 'hl' : edge.path;
  const shown = onPath(edge, opts.path);
  const d = lay.points.map(([x, y], i) => `${i ? 'L' : 'M'}${x},${y}`).join(' ');
  const line = `<path class="edge e-${edge.path}${hl ? ' e-hl' : ''}" d="${d}" marker-end="url(#ah-${kind})"/>`;
  const [x, y, anchor] = lay.label;
  const text = edge.label[opts.lang];
  const lines = lay.wrap
    ? breakLabel(text, opts.lang === 'zh' ? Math.ceil(lay.wrap * 0.8) : lay.wrap)
    : [text];
  const cls = `lbl${edge.path === 'client' || edge.path === 'server' ? ` l-${edge.path}` : ''}`;
  const label = lines
    .map((l, i) =>
      el('text', { class: cls, x, y: y + i * 15 - ((lines.length - 1) * 15) / 2, 'text-anchor': anchor }, l),
    )
    .join('');
  return group({ class: shown ? 'tr' : 'tr faded', 'data-edge': edge.id }, [line, label]);
}

/** Breaks a label at spaces into lines of about `width` characters. */
function breakLabel(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && (line + w).length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

function stateSvg(state: TcpState, opts: DiagramOptions, visible: boolean): string {
  const [x, y] = STATE_XY[state];
  const sub = opts.lang === 'zh' ? STATE_ZH[state] : stateInfo(state).rfc;
  const parts = [
    el('rect', { x: x - BOX.w / 2, y: y - BOX.h / 2, width: BOX.w, height: BOX.h, rx: 9 }),
    el('text', { class: 'name', x, y: y - 2, 'text-anchor': 'middle' }, state),
    el('text', { class: 'rfc', x, y: y + 15, 'text-anchor': 'middle' }, sub),
  ];
  const n = opts.counts?.[state];
  if (opts.counts) parts.push(badge(x + BOX.w / 2, y - BOX.h / 2, n ?? 0));
  const cls = `st${opts.highlight === state ? ' hl' : ''}${visible ? '' : ' dim'}`;
  return group({ class: cls, 'data-state': state }, parts);
}

function badge(x: number, y: number, n: number): string {
  const text = n >= 100_000 ? `${Math.round(n / 1000)}k` : String(n);
  const w = Math.max(24, text.length * 8 + 12);
  return group({ class: n === 0 ? 'badge zero' : 'badge' }, [
    el('rect', { x: x - w + 8, y: y - 11, width: w, height: 22, rx: 11 }),
    el('text', { x: x - w / 2 + 8, y: y + 4.5, 'text-anchor': 'middle' }, text),
  ]);
}

function legend(opts: DiagramOptions): string {
  const t = DIAGRAM_TEXT[opts.lang];
  const y = 975;
  const items = KINDS.map((k, i) => {
    const x = 40 + i * 260;
    return [
      `<path class="edge e-${k}" d="M${x},${y} L${x + 60},${y}" marker-end="url(#ah-${k})"/>`,
      el('text', { class: 'sub', x: x + 72, y: y + 4.5 }, t[k]!),
    ].join('');
  });
  const notes = [el('text', { class: 'sub muted', x: 40, y: y + 36 }, t['note']!)];
  if (opts.counts) {
    const total = Object.values(opts.counts).reduce((a, b) => a + (b ?? 0), 0);
    notes.push(el('text', { class: 'sub muted', x: 40, y: y + 58 }, `${t['counts']}: ${total}`));
  }
  return group({ class: 'legend' }, [...items, ...notes]);
}
