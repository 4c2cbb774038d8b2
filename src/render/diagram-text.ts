/**
 * The state diagram as Unicode text for the terminal, laid out by hand on a 100-column grid in the
 * same arrangement as the SVG: client path heavy (━), server path dashed (╍), other transitions
 * light (─), Linux's own dotted (┈). Counts sit in a box's lower border; a highlighted state has a
 * double border.
 */
import type { TcpState } from '../tcp/index.js';
import {
  DIAGRAM_EDGES,
  DIAGRAM_TEXT,
  type DiagramOptions,
  onPath,
  type PathKind,
  statesOnPath,
} from './diagram-model.js';
import type { Styler } from './ladder-text.js';
import { type LineKind, TextCanvas } from './text-canvas.js';

const W = 100;
const H = 52;
const T = 2; // rows above the figure, for the title
const BOX_W = 15;

const STATES: Readonly<Record<TcpState, readonly [number, number]>> = {
  CLOSE: [50, 5 + T],
  LISTEN: [50, 11 + T],
  SYN_RECV: [18, 17 + T],
  SYN_SENT: [82, 17 + T],
  ESTABLISHED: [50, 23 + T],
  FIN_WAIT1: [18, 31 + T],
  CLOSING: [50, 31 + T],
  CLOSE_WAIT: [82, 31 + T],
  FIN_WAIT2: [18, 39 + T],
  TIME_WAIT: [50, 39 + T],
  LAST_ACK: [82, 39 + T],
};

type Pt = readonly [number, number];
interface TextEdge {
  readonly pts: readonly Pt[];
  /** Label lines: column, first row, anchor. */
  readonly at: readonly [number, number, 'start' | 'middle' | 'end'];
  /** The label broken into lines for this place, where the model's one line does not fit. */
  readonly en?: readonly string[];
  readonly zh?: readonly string[];
}

const p = (pts: [number, number][]): Pt[] => pts.map(([x, y]) => [x, y + T] as const);
const EDGES: Readonly<Record<string, TextEdge>> = {
  listen: {
    pts: p([
      [48, 7],
      [48, 9],
    ]),
    at: [46, 8 + T, 'end'],
  },
  'listen-close': {
    pts: p([
      [52, 9],
      [52, 7],
    ]),
    at: [54, 8 + T, 'start'],
  },
  connect: {
    pts: p([
      [58, 5],
      [80, 5],
      [80, 15],
    ]),
    at: [59, 6 + T, 'start'],
    en: ['active open: connect()', '/ snd SYN'],
    zh: ['主动打开：connect()', '/ 发 SYN'],
  },
  'syn-sent-close': {
    pts: p([
      [86, 15],
      [86, 2],
      [55, 2],
      [55, 3],
    ]),
    at: [88, 9 + T, 'start'],
    en: ['close() or', 'timeout'],
    zh: ['close()', '或超时'],
  },
  'syn-rcvd': {
    pts: p([
      [42, 11],
      [18, 11],
      [18, 15],
    ]),
    at: [30, 10 + T, 'middle'],
  },
  'rst-listen': {
    pts: p([
      [22, 15],
      [22, 12],
      [42, 12],
    ]),
    at: [25, 13 + T, 'start'],
  },
  'simultaneous-open': {
    pts: p([
      [74, 17],
      [26, 17],
    ]),
    at: [50, 16 + T, 'middle'],
  },
  'established-client': {
    pts: p([
      [82, 19],
      [82, 23],
      [58, 23],
    ]),
    at: [70, 22 + T, 'middle'],
  },
  'established-server': {
    pts: p([
      [22, 19],
      [22, 23],
      [42, 23],
    ]),
    at: [32, 22 + T, 'middle'],
  },
  'syn-rcvd-close': {
    pts: p([
      [14, 19],
      [14, 29],
    ]),
    at: [12, 23 + T, 'end'],
    en: ['close() /', 'snd FIN'],
    zh: ['close() /', '发 FIN'],
  },
  'active-close': {
    pts: p([
      [47, 25],
      [47, 27],
      [21, 27],
      [21, 29],
    ]),
    at: [23, 28 + T, 'start'],
    en: ['close() / snd FIN', '(active close)'],
    zh: ['close() / 发 FIN', '（主动关闭）'],
  },
  'passive-close': {
    pts: p([
      [53, 25],
      [53, 27],
      [79, 27],
      [79, 29],
    ]),
    at: [77, 28 + T, 'end'],
    en: ['rcv FIN / snd ACK', '(passive close)'],
    zh: ['收 FIN / 发 ACK', '（被动关闭）'],
  },
  'fin-wait2': {
    pts: p([
      [18, 33],
      [18, 37],
    ]),
    at: [20, 35 + T, 'start'],
  },
  closing: {
    pts: p([
      [26, 31],
      [42, 31],
    ]),
    at: [34, 30 + T, 'middle'],
    en: ['rcv FIN/snd ACK'],
    zh: ['收 FIN/发 ACK'],
  },
  'fin-ack': {
    pts: p([
      [24, 33],
      [24, 34],
      [45, 34],
      [45, 37],
    ]),
    at: [26, 33 + T, 'start'],
  },
  'time-wait-client': {
    pts: p([
      [26, 39],
      [42, 39],
    ]),
    at: [34, 38 + T, 'middle'],
    en: ['rcv FIN/snd ACK'],
    zh: ['收 FIN/发 ACK'],
  },
  'closing-time-wait': {
    pts: p([
      [53, 33],
      [53, 37],
    ]),
    at: [55, 35 + T, 'start'],
  },
  'time-wait-close': {
    pts: p([
      [50, 41],
      [50, 43],
      [0, 43],
      [0, 5],
      [42, 5],
    ]),
    at: [25, 42 + T, 'middle'],
  },
  'last-ack': {
    pts: p([
      [82, 33],
      [82, 37],
    ]),
    at: [84, 35 + T, 'start'],
    en: ['close() /', 'snd FIN'],
    zh: ['close() /', '发 FIN'],
  },
  'last-ack-close': {
    pts: p([
      [90, 39],
      [98, 39],
      [98, 1],
      [52, 1],
      [52, 3],
    ]),
    at: [96, 20 + T, 'end'],
    en: ['rcv ACK', 'of FIN'],
    zh: ['收到 FIN', '的 ACK'],
  },
  'orphan-timeout': {
    pts: p([
      [10, 39],
      [2, 39],
      [2, 6],
      [42, 6],
    ]),
    at: [3, 41 + T, 'start'],
  },
};

const LINES: Record<PathKind, LineKind> = {
  client: 'heavy',
  server: 'dashed',
  other: 'light',
  linux: 'dotted',
};

/** The diagram as terminal text; `style` colours it (the CLI passes its painter on a TTY). */
export function diagramText(opts: DiagramOptions, style?: Styler): string {
  const c = new TextCanvas(W, H);
  const t = DIAGRAM_TEXT[opts.lang];
  c.text(0, 0, t['title']!, 'start', 'title');
  for (const edge of DIAGRAM_EDGES) {
    if (!onPath(edge, opts.path)) continue;
    const lay = EDGES[edge.id]!;
    const hl = opts.highlight !== undefined && (edge.from === opts.highlight || edge.to === opts.highlight);
    const st = hl ? 'changed' : edge.path === 'client' || edge.path === 'server' ? edge.path : undefined;
    c.polyline(lay.pts, LINES[edge.path], st);
    const lines = lay[opts.lang] ?? [edge.label[opts.lang]];
    lines.forEach((line, i) => {
      c.text(lay.at[0], lay.at[1] + i, line, lay.at[2], st);
    });
  }
  const visible = statesOnPath(opts.path);
  for (const [state, [x, y]] of Object.entries(STATES) as [TcpState, Pt][]) {
    const hl = opts.highlight === state;
    const st = hl ? 'changed' : visible.has(state) ? undefined : 'dim';
    c.box(x, y, BOX_W, hl, st);
    c.text(x, y, state, 'middle', st);
    const n = opts.counts?.[state];
    if (opts.counts) c.text(x, y + 1, ` ${n ?? 0} `, 'middle', n ? 'count' : st);
  }
  legend(c, opts);
  const paint: Styler = style ?? ((_r, s) => s);
  return c.render((st, s) =>
    st === undefined ? s : paint(st === 'count' ? 'changed' : (st as Parameters<Styler>[0]), s),
  );
}

function legend(c: TextCanvas, opts: DiagramOptions): void {
  const t = DIAGRAM_TEXT[opts.lang];
  const y = 46 + T;
  const items: [PathKind, string][] = [
    ['client', '━━━▶'],
    ['server', '╍╍╍▶'],
    ['other', '───▶'],
    ['linux', '┈┈┈▶'],
  ];
  let x = 0;
  for (const [k, sample] of items) {
    const st = k === 'client' || k === 'server' ? k : undefined;
    c.text(x, y, sample, 'start', st);
    c.text(x + 5, y, t[k]!, 'start');
    x += 25;
  }
  c.text(0, y + 1, t['note']!, 'start', 'dim');
  if (opts.counts) {
    const total = Object.values(opts.counts).reduce((a, b) => a + (b ?? 0), 0);
    c.text(0, y + 2, `${t['counts']}: ${total}`, 'start', 'dim');
  }
}
