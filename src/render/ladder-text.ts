/**
 * The ladder (sequence) diagram of a connection trace (simulated or captured) as terminal text, in the
 * style of RFC 9293's figures: one row an event, both ends' states after it, `-->` where a segment
 * leaves or arrives and `...` while it is on its way (a captured segment is seen once: `-->  -->`).
 */
import { type ConnEvent, type ConnSegment, type ConnTrace, type EndView, rightward } from '../flow/trace.js';
import { formatEndpoint } from '../net/endpoint.js';
import { segmentText, type TcpState } from '../tcp/index.js';
import { anomaliesPhrase } from './anomaly-text.js';
import { wrap } from './svg.js';

/** How a renderer colours: the CLI passes its `paint`, tests and files pass nothing. */
export type Styler = (
  role: 'client' | 'server' | 'changed' | 'anomaly' | 'dim' | 'title',
  text: string,
) => string;

const plain: Styler = (_role, text) => text;

/** Milliseconds as `0ms`, `210ms`, `1.010s`, `60.310s` (a fraction of a millisecond: `0.125ms`). */
export function formatTime(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  return Number.isInteger(ms) ? `${ms}ms` : `${ms.toFixed(3)}ms`;
}

function endText(v: EndView): string {
  const others = Object.entries(v.others ?? {})
    .map(([s, n]) => `+${n} ${s}`)
    .join(' ');
  return `${v.state}${v.down ? ' (down)' : ''}${others ? ` (${others})` : ''}`;
}

function arrows(tr: ConnTrace, s: ConnEvent): [string, string] {
  const p = s.packet;
  if (!p) return ['   ', '   '];
  const right = rightward(tr, p);
  switch (s.kind) {
    case 'seen':
      return right ? ['-->', '-->'] : ['<--', '<--'];
    case 'send':
      return right ? ['-->', '...'] : ['...', '<--'];
    case 'arrive':
      return right ? ['...', '-->'] : ['<--', '...'];
    default:
      return right ? ['...', ' x '] : [' x ', '...'];
  }
}

/** Whether a segment comes from or goes to someone who is not one of the ends (a spoofed sender). */
export function farSegment(p: ConnSegment): boolean {
  return p.fromEnd === undefined || p.toEnd === undefined;
}

function eventText(s: ConnEvent, why: boolean): string {
  const p = s.packet;
  const via =
    p && farSegment(p)
      ? ` [${formatEndpoint(p.from.host, p.from.port)} > ${formatEndpoint(p.to.host, p.to.port)}]`
      : '';
  const phrase = anomaliesPhrase(s.anomalies.map((a) => a.id));
  const anomalies = phrase ? ` (${phrase})` : '';
  const who = s.at === 'network' ? '' : `${s.at} `;
  let text: string;
  if (s.kind === 'send') text = `${who}sends ${s.text}`;
  else if (s.kind === 'arrive') text = `${who}${s.text}`;
  else if (s.kind === 'note') text = `-- ${s.text}`;
  else text = `${who}${s.text}`;
  if (!why || !s.why) return `${text}${via}${anomalies}`;
  // A call's explanation starts with the call itself: say it once.
  if (s.kind === 'call' && s.why.startsWith(s.text.replace(/\(.*$/, '(')))
    return `${who}${s.why}${anomalies}`;
  return `${text}${via}${anomalies}: ${s.why}`;
}

/** The whole ladder: title, what the trace shows, the rows, the final states. */
export function ladderText(tr: ConnTrace, opts: { style?: Styler; why?: boolean } = {}): string {
  const st = opts.style ?? plain;
  const [a, b] = tr.ends;
  const rows = tr.events.map((s) => ({ s, seg: s.packet ? segmentText(s.packet.segment) : '' }));
  const segW = Math.max(20, ...rows.map((r) => r.seg.length));
  const cW = Math.max(11, a.label.length, ...tr.events.map((s) => endText(s.views[0]).length));
  const sW = Math.max(11, b.label.length, ...tr.events.map((s) => endText(s.views[1]).length));
  const tW = Math.max(5, ...tr.events.map((s) => formatTime(s.time).length));
  const nW = String(tr.events.length).length;
  const out: string[] = [st('title', `${tr.title} (${tr.id})`)];
  for (const line of wrap(tr.about, 100)) out.push(st('dim', line));
  out.push('');
  const head = `${' '.repeat(nW)}  ${'time'.padStart(tW)}  ${a.label.padEnd(cW)}  ${' '.repeat(segW + 8)}  ${b.label.padEnd(sW)}`;
  out.push(st('dim', head.trimEnd()));
  let prev: { c: TcpState; s: TcpState } | undefined;
  for (const { s, seg } of rows) {
    const [l, r] = arrows(tr, s);
    const c = endText(s.views[0]).padEnd(cW);
    const sv = endText(s.views[1]).padEnd(sW);
    const cStyled = prev && prev.c !== s.views[0].state ? st('changed', c) : c;
    const sStyled = prev && prev.s !== s.views[1].state ? st('changed', sv) : sv;
    const segStyled = s.packet
      ? st(rightward(tr, s.packet) ? 'client' : 'server', seg.padEnd(segW))
      : ' '.repeat(segW);
    const ev = eventText(s, opts.why ?? true);
    const evStyled = s.anomalies.length ? st('anomaly', ev) : s.kind === 'note' ? st('dim', ev) : ev;
    out.push(
      `${String(s.n).padStart(nW)}  ${formatTime(s.time).padStart(tW)}  ${cStyled}  ${l} ${segStyled} ${r}  ${sStyled}  ${evStyled}`.trimEnd(),
    );
    prev = { c: s.views[0].state, s: s.views[1].state };
  }
  const last = tr.events.at(-1);
  if (last) out.push('', `final: ${a.label} ${endText(last.views[0])}, ${b.label} ${endText(last.views[1])}`);
  if (tr.truncated)
    out.push(
      st(
        'anomaly',
        tr.untilMs === undefined
          ? 'stopped with events still pending'
          : `stopped at ${formatTime(tr.untilMs)} with events still pending`,
      ),
    );
  return `${out.join('\n')}\n`;
}
