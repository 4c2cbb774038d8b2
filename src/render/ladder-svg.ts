/**
 * The ladder (sequence) diagram of a simulation as SVG: the two ends' lifelines, each segment a
 * slanted arrow from the row it leaves to the row it arrives (losses end in a cross), the state of an
 * end written on its lifeline where it changes, and the reason on the right.
 */
import type { SimResult, SimStep, WirePacket } from '../sim/types.js';
import { flagsText } from '../tcp/index.js';
import { formatTime } from './ladder-text.js';
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

/** The ladder as a standalone SVG document. */
export function ladderSvg(res: SimResult, opts: { theme?: Theme } = {}): string {
  const sc = res.scenario;
  const about = wrap(sc.about, 150);
  const top = 70 + about.length * 18 + 80;
  const height = top + (res.steps.length + 1) * ROW + 40;
  const rowY = (i: number) => top + (i + 0.5) * ROW;
  const parts: string[] = [el('rect', { class: 'bg', width: WIDTH, height })];
  parts.push(el('text', { class: 'title', x: X.time, y: 34 }, `${sc.title} (${sc.id})`));
  about.forEach((line, i) => {
    parts.push(el('text', { class: 'muted', x: X.time, y: 60 + i * 18 }, line));
  });
  parts.push(...lifelines(res, top, height, rowY));
  const arrivals = arrivalRows(res.steps);
  const sent = new Set(res.steps.filter((s) => s.kind === 'send').map((s) => s.packet!.id));
  res.steps.forEach((s, i) => {
    parts.push(el('text', { class: 'muted', x: X.time, y: rowY(i) + 4 }, `${s.n}  ${formatTime(s.time)}`));
    parts.push(...rowMarks(res, s, i, rowY, arrivals));
    // Injected segments (old duplicates, spoofed senders) were sent by nobody on the figure: a stub arrow.
    if (s.packet && s.kind !== 'send' && s.kind !== 'lost' && !sent.has(s.packet.id))
      parts.push(...injected(s.packet, rowY(i)));
  });
  return `${svgOpen(WIDTH, height, `${sc.title}: ladder diagram`)}${themeStyle(opts.theme ?? 'auto', CSS)}${parts.join('')}</svg>\n`;
}

/** For each packet id, the row where it arrives, is lost or dropped. */
function arrivalRows(steps: readonly SimStep[]): Map<number, number> {
  const m = new Map<number, number>();
  steps.forEach((s, i) => {
    if (s.packet && s.kind !== 'send' && !m.has(s.packet.id)) m.set(s.packet.id, i);
  });
  return m;
}

function lifelines(res: SimResult, top: number, height: number, rowY: (i: number) => number): string[] {
  const out: string[] = [];
  const sc = res.scenario;
  for (const side of ['client', 'server'] as const) {
    const x = X[side];
    out.push(
      el('text', { x, y: top - 46, 'text-anchor': 'middle', class: 'title' }, sc.settings[side].label),
    );
    // Solid while the host is up, dotted while it is down.
    let from = top - 36;
    let down = false;
    res.steps.forEach((s, i) => {
      const isDown = s[side].down === true;
      if (isDown !== down) {
        out.push(el('line', { class: down ? 'life down' : 'life', x1: x, x2: x, y1: from, y2: rowY(i) }));
        from = rowY(i);
        down = isDown;
      }
    });
    out.push(el('line', { class: down ? 'life down' : 'life', x1: x, x2: x, y1: from, y2: height - 20 }));
  }
  const first = res.steps[0];
  if (first) {
    out.push(stateBox(X.client, top - 22, initial(res, 'client'), false));
    out.push(stateBox(X.server, top - 22, initial(res, 'server'), false));
  }
  return out;
}

/** The state before the first row: the first row's, unless that row changed it. */
function initial(res: SimResult, side: 'client' | 'server'): string {
  const first = res.steps[0]!;
  const t = first.transitions.find((x) => x.end === side);
  return t ? t.from : first[side].state;
}

function stateBox(x: number, y: number, text: string, changed: boolean): string {
  const w = Math.max(96, text.length * 8 + 16);
  return group({ class: changed ? 'state changed' : 'state' }, [
    el('rect', { x: x - w / 2, y: y - 10, width: w, height: 20, rx: 10 }),
    el('text', { x, y: y + 4, 'text-anchor': 'middle' }, text),
  ]);
}

function rowMarks(
  res: SimResult,
  s: SimStep,
  i: number,
  rowY: (i: number) => number,
  arrivals: Map<number, number>,
): string[] {
  const out: string[] = [];
  const y = rowY(i);
  if (s.kind === 'send' && s.packet) out.push(...arrow(s.packet, y, arrivals, res.steps, rowY));
  if (s.kind === 'note') {
    out.push(el('line', { class: 'note', x1: X.client, x2: X.server, y1: y, y2: y }));
    out.push(
      el('rect', { class: 'lbg', x: (X.client + X.server) / 2 - 250, y: y - 9, width: 500, height: 18 }),
    );
    out.push(
      el('text', { class: 'muted', x: (X.client + X.server) / 2, y: y + 4, 'text-anchor': 'middle' }, s.text),
    );
  }
  if (
    (s.kind === 'call' || s.kind === 'timer' || s.kind === 'crash' || s.kind === 'restart') &&
    s.at !== 'network'
  ) {
    const left = s.at === 'client';
    const label = s.kind === 'timer' ? `timer: ${s.text.replace(/ timer/, '')}` : s.text;
    out.push(
      el(
        'text',
        { class: 'call', x: X[s.at] + (left ? -64 : 64), y: y + 4, 'text-anchor': left ? 'end' : 'start' },
        label,
      ),
    );
  }
  for (const t of s.transitions) out.push(stateBox(X[t.end], y, t.to, true));
  const why = [s.why, s.anomalies.length ? `[${s.anomalies.map((a) => a.id).join(', ')}]` : undefined]
    .filter(Boolean)
    .join(' ');
  if (why)
    out.push(
      el('text', { class: s.anomalies.length ? 'anom' : 'why', x: X.why, y: y + 4 }, `${s.at}: ${why}`),
    );
  return out;
}

function arrow(
  p: WirePacket,
  y1: number,
  arrivals: Map<number, number>,
  steps: readonly SimStep[],
  rowY: (i: number) => number,
): string[] {
  const right = p.from.host === 'client' || p.to.host === 'server';
  const x1 = right ? X.client : X.server;
  const x2 = right ? X.server : X.client;
  const end = arrivals.get(p.id);
  const endStep = end === undefined ? undefined : steps[end];
  const y2 = end === undefined ? y1 + ROW : rowY(end);
  const cls = right ? 'c2s' : 's2c';
  const lost = endStep === undefined || endStep.kind === 'lost';
  const dropped = endStep?.kind === 'dropped';
  const out: string[] = [];
  // A lost segment stops halfway with a cross; a dropped one reaches the host and is crossed there.
  const xe = lost ? (x1 + x2) / 2 : x2 + (right ? -3 : 3);
  const ye = lost ? (y1 + y2) / 2 : y2;
  out.push(el('line', { class: cls, x1, y1, x2: xe, y2: ye }));
  if (lost || dropped) out.push(...cross(lost ? xe : x2 + (right ? -10 : 10), ye));
  else out.push(head(xe, ye, x1, y1, cls));
  const label = `${flagsText(p.segment.flags)}${p.segment.len ? ` ${p.segment.len}B` : ''} seq=${p.segment.seq}${p.segment.flags & 0x10 ? ` ack=${p.segment.ack}` : ''}`;
  const far = !['client', 'server'].includes(p.from.host) || !['client', 'server'].includes(p.to.host);
  const text = far ? `${label} (${right ? p.from.host : p.to.host})` : label;
  const mx = (x1 + xe) / 2;
  const my = (y1 + ye) / 2;
  const w = text.length * 7.3 + 8;
  out.push(el('rect', { class: 'lbg', x: mx - w / 2, y: my - 15, width: w, height: 15 }));
  out.push(el('text', { class: `seg ${cls}-t`, x: mx, y: my - 4, 'text-anchor': 'middle' }, text));
  return out;
}

function injected(p: WirePacket, y: number): string[] {
  const toServer = p.to.host === 'server';
  const x2 = toServer ? X.server - 3 : X.client + 3;
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
  return `<polygon class="${esc(cls)}-t" points="${x},${y} ${p(0.4, 1)} ${p(0.4, -1)}"/>`;
}

function cross(x: number, y: number): string[] {
  return [
    el('line', { class: 'x', x1: x - 6, y1: y - 6, x2: x + 6, y2: y + 6 }),
    el('line', { class: 'x', x1: x - 6, y1: y + 6, x2: x + 6, y2: y - 6 }),
  ];
}
