/**
 * The ladder (sequence) diagram of a connection trace as SVG: the two ends' lifelines, each segment a
 * slanted arrow from the row it leaves to the row it arrives (losses end in a cross; a captured
 * segment, seen once, within its row), the state of an end written on its lifeline where it changes,
 * and the reason on the right. An arrow that arrives where a state is written stops at the state's
 * box, so every arrowhead shows.
 */
import { type ConnEvent, type ConnSegment, type ConnTrace, endIndex, rightward } from '../flow/trace.js';
import { flagsText } from '../tcp/index.js';
import { anomaliesPhrase } from './anomaly-text.js';
import { farSegment, formatTime } from './ladder-text.js';
import { el, esc, group, svgOpen, type Theme, themeStyle, wrap } from './svg.js';

const ROW = 26;
const X = { time: 16, client: 340, server: 880, why: 1130 };
const WIDTH = 1860;
const CSS =
  '.bg{fill:var(--bg)}text{fill:var(--fg);font-size:13px}.muted{fill:var(--muted)}.title{font-size:20px;font-weight:700}' +
  '.life{stroke:var(--line);stroke-width:2}.down{stroke-dasharray:2 6}' +
  '.state rect{fill:var(--box);stroke:var(--line)}.state text{font-weight:700;font-size:12px}' +
  '.changed rect{fill:var(--accent-bg);stroke:var(--accent);stroke-width:2}' +
  '.c2s{stroke:var(--client);fill:none;stroke-width:1.8}.s2c{stroke:var(--server);fill:none;stroke-width:1.8}' +
  '.c2s-t{fill:var(--client)}.s2c-t{fill:var(--server)}.seg{font-size:12px;font-family:monospace}' +
  '.lbg{fill:var(--bg);opacity:.85}.bad{fill:var(--bad);font-weight:700}.x{stroke:var(--bad);stroke-width:2.5}' +
  '.why{font-size:12px}.anom{fill:var(--bad);font-size:12px}.note{stroke:var(--muted);stroke-dasharray:4 4}' +
  '.call{font-weight:700;font-size:12px}';

/** Where things are drawn: the rows' y, and the half width of the state box on a row at an end. */
interface Layout {
  readonly tr: ConnTrace;
  readonly rowY: (i: number) => number;
  /** Per row, per end (0, 1): the half width of the state box drawn there, 0 if none. */
  readonly boxes: readonly (readonly [number, number])[];
}

const X_END = [X.client, X.server] as const;

/** The ladder as a standalone SVG document. */
export function ladderSvg(tr: ConnTrace, opts: { theme?: Theme } = {}): string {
  const about = wrap(tr.about, 150);
  const top = 70 + about.length * 18 + 80;
  const height = top + (tr.events.length + 1) * ROW + 40;
  const rowY = (i: number) => top + (i + 0.5) * ROW;
  const boxes = tr.events.map((s) => {
    const half = (k: 0 | 1) => {
      const t = s.transitions.filter((x) => endIndex(tr, x.end) === k).at(-1);
      return t ? boxWidth(t.to) / 2 : 0;
    };
    return [half(0), half(1)] as const;
  });
  const lay: Layout = { tr, rowY, boxes };
  const parts: string[] = [el('rect', { class: 'bg', width: WIDTH, height })];
  parts.push(el('text', { class: 'title', x: X.time, y: 34 }, `${tr.title} (${tr.id})`));
  about.forEach((line, i) => {
    parts.push(el('text', { class: 'muted', x: X.time, y: 60 + i * 18 }, line));
  });
  parts.push(...lifelines(tr, top, height, rowY));
  const arrivals = arrivalRows(tr.events);
  const sent = new Set(tr.events.filter((s) => s.kind === 'send').map((s) => s.packet!.id));
  tr.events.forEach((s, i) => {
    parts.push(el('text', { class: 'muted', x: X.time, y: rowY(i) + 4 }, `${s.n}  ${formatTime(s.time)}`));
    parts.push(...rowMarks(lay, s, i, arrivals));
    // Injected segments (old duplicates, spoofed senders) were sent by nobody on the figure: a stub arrow.
    if (s.packet && s.kind !== 'send' && s.kind !== 'lost' && s.kind !== 'seen' && !sent.has(s.packet.id))
      parts.push(...injected(lay, s.packet, i));
  });
  return `${svgOpen(WIDTH, height, `${tr.title}: ladder diagram`)}${themeStyle(opts.theme ?? 'auto', CSS)}${parts.join('')}</svg>\n`;
}

/** For each packet id, the row where it arrives, is lost or dropped. */
function arrivalRows(steps: readonly ConnEvent[]): Map<number, number> {
  const m = new Map<number, number>();
  steps.forEach((s, i) => {
    if (s.packet && s.kind !== 'send' && !m.has(s.packet.id)) m.set(s.packet.id, i);
  });
  return m;
}

function lifelines(tr: ConnTrace, top: number, height: number, rowY: (i: number) => number): string[] {
  const out: string[] = [];
  for (const k of [0, 1] as const) {
    const x = X_END[k];
    out.push(el('text', { x, y: top - 46, 'text-anchor': 'middle', class: 'title' }, tr.ends[k].label));
    // Solid while the host is up, dotted while it is down.
    let from = top - 36;
    let down = false;
    tr.events.forEach((s, i) => {
      const isDown = s.views[k].down === true;
      if (isDown !== down) {
        out.push(el('line', { class: down ? 'life down' : 'life', x1: x, x2: x, y1: from, y2: rowY(i) }));
        from = rowY(i);
        down = isDown;
      }
    });
    out.push(el('line', { class: down ? 'life down' : 'life', x1: x, x2: x, y1: from, y2: height - 20 }));
  }
  if (tr.events[0]) {
    out.push(stateBox(X.client, top - 22, initial(tr, 0), false));
    out.push(stateBox(X.server, top - 22, initial(tr, 1), false));
  }
  return out;
}

/** The state before the first row: the first row's, unless that row changed it. */
function initial(tr: ConnTrace, k: 0 | 1): string {
  const first = tr.events[0]!;
  const t = first.transitions.find((x) => x.end === tr.ends[k].id);
  return t ? t.from : first.views[k].state;
}

function boxWidth(text: string): number {
  return Math.max(96, text.length * 8 + 16);
}

function stateBox(x: number, y: number, text: string, changed: boolean): string {
  const w = boxWidth(text);
  return group({ class: changed ? 'state changed' : 'state' }, [
    el('rect', { x: x - w / 2, y: y - 10, width: w, height: 20, rx: 10 }),
    el('text', { x, y: y + 4, 'text-anchor': 'middle' }, text),
  ]);
}

function rowMarks(lay: Layout, s: ConnEvent, i: number, arrivals: Map<number, number>): string[] {
  const { tr, rowY } = lay;
  const out: string[] = [];
  const y = rowY(i);
  if (s.kind === 'send' && s.packet) out.push(...arrow(lay, s.packet, i, arrivals.get(s.packet.id)));
  if (s.kind === 'seen' && s.packet) out.push(...arrow(lay, s.packet, i, i));
  if (s.kind === 'note') {
    out.push(el('line', { class: 'note', x1: X.client, x2: X.server, y1: y, y2: y }));
    out.push(
      el('rect', { class: 'lbg', x: (X.client + X.server) / 2 - 250, y: y - 9, width: 500, height: 18 }),
    );
    out.push(
      el('text', { class: 'muted', x: (X.client + X.server) / 2, y: y + 4, 'text-anchor': 'middle' }, s.text),
    );
  }
  const at = endIndex(tr, s.at);
  if ((s.kind === 'call' || s.kind === 'timer' || s.kind === 'crash' || s.kind === 'restart') && at !== -1) {
    const left = at === 0;
    const label = s.kind === 'timer' ? `timer: ${s.text.replace(/ timer/, '')}` : s.text;
    out.push(
      el(
        'text',
        { class: 'call', x: X_END[at] + (left ? -64 : 64), y: y + 4, 'text-anchor': left ? 'end' : 'start' },
        label,
      ),
    );
  }
  for (const t of s.transitions) {
    const k = endIndex(tr, t.end);
    if (k !== -1) out.push(stateBox(X_END[k], y, t.to, true));
  }
  const phrase = anomaliesPhrase(s.anomalies.map((a) => a.id));
  const why = [s.why, phrase ? `(${phrase})` : undefined].filter(Boolean).join(' ');
  if (why)
    out.push(
      el('text', { class: s.anomalies.length ? 'anom' : 'why', x: X.why, y: y + 4 }, `${s.at}: ${why}`),
    );
  return out;
}

/** A segment from the row it leaves (`i`) to the row it arrives (`end`; undefined: never arrives). */
function arrow(lay: Layout, p: ConnSegment, i: number, end: number | undefined): string[] {
  const { tr, rowY } = lay;
  const steps = tr.events;
  const right = rightward(tr, p);
  const x1 = right ? X.client : X.server;
  const x2 = right ? X.server : X.client;
  const seen = steps[i]!.kind === 'seen';
  const y1 = seen ? rowY(i) - ROW * 0.55 : rowY(i);
  const endStep = end === undefined ? undefined : steps[end];
  const y2 = end === undefined ? y1 + ROW : rowY(end);
  const cls = right ? 'c2s' : 's2c';
  const lost = endStep === undefined || endStep.kind === 'lost';
  const dropped = endStep?.kind === 'dropped';
  // Stop short of the state box written where the arrow arrives (or of the lifeline).
  const gap = (end === undefined ? 0 : (lay.boxes[end]?.[right ? 1 : 0] ?? 0)) + 3;
  const out: string[] = [];
  // A lost segment stops halfway with a cross; a dropped one reaches the host and is crossed there.
  const xe = lost ? (x1 + x2) / 2 : x2 + (right ? -gap : gap);
  const ye = lost ? (y1 + y2) / 2 : y2;
  out.push(el('line', { class: cls, x1, y1, x2: xe, y2: ye }));
  if (lost || dropped) out.push(...cross(lost ? xe : xe + (right ? -7 : 7), ye));
  else out.push(head(xe, ye, x1, y1, cls));
  const label = `${flagsText(p.segment.flags)}${p.segment.len ? ` ${p.segment.len}B` : ''} seq=${p.segment.seq}${p.segment.flags & 0x10 ? ` ack=${p.segment.ack}` : ''}`;
  const text = farSegment(p) ? `${label} (${right ? p.from.host : p.to.host})` : label;
  const mx = (x1 + xe) / 2;
  const my = (y1 + ye) / 2;
  const w = text.length * 7.3 + 8;
  out.push(el('rect', { class: 'lbg', x: mx - w / 2, y: my - 15, width: w, height: 15 }));
  out.push(el('text', { class: `seg ${cls}-t`, x: mx, y: my - 4, 'text-anchor': 'middle' }, text));
  return out;
}

function injected(lay: Layout, p: ConnSegment, i: number): string[] {
  const y = lay.rowY(i);
  const toServer = p.toEnd === lay.tr.ends[1].id;
  const gap = (lay.boxes[i]?.[toServer ? 1 : 0] ?? 0) + 3;
  const x2 = toServer ? X.server - gap : X.client + gap;
  const x1 = (X.client + X.server) / 2 + (toServer ? 60 : -60);
  const cls = toServer ? 'c2s' : 's2c';
  const text = `${flagsText(p.segment.flags)} seq=${p.segment.seq} (from ${p.from.host})`;
  const w = text.length * 7.3 + 8;
  const lx = (x1 + x2) / 2;
  return [
    el('line', { class: cls, x1, y1: y - 8, x2, y2: y, 'stroke-dasharray': '3 3' }),
    head(x2, y, x1, y - 8, cls),
    el('rect', { class: 'lbg', x: lx - w / 2, y: y - 22, width: w, height: 14 }),
    el('text', { class: `seg ${cls}-t`, x: lx, y: y - 11, 'text-anchor': 'middle' }, text),
  ];
}

function head(x: number, y: number, fx: number, fy: number, cls: string): string {
  const a = Math.atan2(y - fy, x - fx);
  const p = (d: number, s: number) => `${x - 11 * Math.cos(a + s * d)},${y - 11 * Math.sin(a + s * d)}`;
  return `<polygon class="${esc(cls)}-t arrowhead" points="${x},${y} ${p(0.4, 1)} ${p(0.4, -1)}"/>`;
}

function cross(x: number, y: number): string[] {
  return [
    el('line', { class: 'x', x1: x - 6, y1: y - 6, x2: x + 6, y2: y + 6 }),
    el('line', { class: 'x', x1: x - 6, y1: y + 6, x2: x + 6, y2: y - 6 }),
  ];
}
