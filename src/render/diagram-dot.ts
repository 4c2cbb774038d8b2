/**
 * The state diagram as Graphviz DOT. `dot` lays it out by rank (the rows of the classic figure are
 * given as `rank=same`); `neato -n2` keeps the hand-made positions given as `pos` (in points).
 * @see https://graphviz.org/doc/info/lang.html
 */
import { stateInfo, TCP_STATES, type TcpState } from '../tcp/index.js';
import { DIAGRAM_EDGES, DIAGRAM_TEXT, type DiagramOptions, onPath, STATE_ZH } from './diagram-model.js';
import { SIZE, STATE_XY } from './diagram-svg-layout.js';

const EDGE_ATTRS = {
  client: 'color="#0b5cad", fontcolor="#0b5cad", penwidth=2.5',
  server: 'color="#b3261e", fontcolor="#b3261e", penwidth=2.5, style=dashed',
  other: 'color="#8c959f"',
  linux: 'color="#8c959f", style=dotted',
} as const;

const RANKS: readonly (readonly TcpState[])[] = [
  ['SYN_RECV', 'SYN_SENT'],
  ['FIN_WAIT1', 'CLOSING', 'CLOSE_WAIT'],
  ['FIN_WAIT2', 'TIME_WAIT', 'LAST_ACK'],
];

/** A DOT string: backslashes and quotes escaped, line breaks as `\n`. */
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The diagram as DOT source. */
export function diagramDot(opts: DiagramOptions): string {
  const t = DIAGRAM_TEXT[opts.lang];
  const edges = DIAGRAM_EDGES.filter((e) => onPath(e, opts.path));
  const used = new Set<TcpState>(edges.flatMap((e) => [e.from, e.to]));
  if (opts.highlight) used.add(opts.highlight);
  const out = [
    'digraph tcp_states {',
    `  graph [label=${q(t['title']!)}, labelloc=t, fontsize=20, fontname="Helvetica", nodesep=0.6, ranksep=0.7];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#f6f8fa", color="#57606a", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const s of TCP_STATES.filter((x) => used.has(x))) {
    const [x, y] = STATE_XY[s];
    const sub = opts.lang === 'zh' ? STATE_ZH[s] : stateInfo(s).rfc;
    const count = opts.counts ? `\n${opts.counts[s] ?? 0}` : '';
    const hl = opts.highlight === s ? ', fillcolor="#fff8c5", color="#bf8700", penwidth=3' : '';
    const pos = `${Math.round(x * 0.75)},${Math.round((SIZE.height - y) * 0.75)}!`;
    out.push(`  ${s} [label=${q(`${s}\n${sub}${count}`)}, pos="${pos}"${hl}];`);
  }
  for (const r of RANKS) {
    const members = r.filter((s) => used.has(s));
    if (members.length > 1) out.push(`  { rank=same; ${members.join('; ')}; }`);
  }
  for (const e of edges)
    out.push(`  ${e.from} -> ${e.to} [label=${q(e.label[opts.lang])}, ${EDGE_ATTRS[e.path]}];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
