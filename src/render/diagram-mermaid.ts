/**
 * The state diagram as a Mermaid flowchart (GitHub and most Markdown viewers draw it): client path
 * thick, server path dotted and red, Linux's own dashed; Mermaid lays it out itself.
 * @see https://mermaid.js.org/syntax/flowchart.html
 */
import { stateInfo, TCP_STATES, type TcpState } from '../tcp/index.js';
import { DIAGRAM_EDGES, type DiagramOptions, onPath, STATE_ZH } from './diagram-model.js';

const STYLE = {
  client: 'stroke:#0b5cad,stroke-width:3px',
  server: 'stroke:#b3261e,stroke-width:3px,stroke-dasharray:8 5',
  other: 'stroke:#8c959f,stroke-width:1.5px',
  linux: 'stroke:#8c959f,stroke-width:1.5px,stroke-dasharray:2 4',
} as const;

/** Mermaid quotes labels with `"`: the only character that must not appear inside. */
const q = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;

/** The diagram as Mermaid source. */
export function diagramMermaid(opts: DiagramOptions): string {
  const edges = DIAGRAM_EDGES.filter((e) => onPath(e, opts.path));
  const used = new Set<TcpState>(edges.flatMap((e) => [e.from, e.to]));
  if (opts.highlight) used.add(opts.highlight);
  const out = ['flowchart TD'];
  for (const s of TCP_STATES.filter((x) => used.has(x))) {
    const sub = opts.lang === 'zh' ? STATE_ZH[s] : stateInfo(s).rfc;
    const n = opts.counts?.[s];
    const count = opts.counts ? `<br/><b>${n ?? 0}</b>` : '';
    out.push(`  ${s}[${q(`<b>${s}</b><br/><small>${sub}</small>${count}`)}]`);
  }
  const styles: string[] = [];
  edges.forEach((e, i) => {
    const label = q(e.label[opts.lang]);
    const arrow =
      e.path === 'client' ? `== ${label} ==>` : e.path === 'other' ? `-- ${label} -->` : `-. ${label} .->`;
    out.push(`  ${e.from} ${arrow} ${e.to}`);
    styles.push(`  linkStyle ${i} ${STYLE[e.path]}`);
  });
  out.push(...styles);
  if (opts.highlight) {
    out.push('  classDef hl fill:#fff8c5,stroke:#bf8700,stroke-width:3px', `  class ${opts.highlight} hl`);
  }
  return `${out.join('\n')}\n`;
}
