/**
 * The ladder (sequence) diagram of a simulation as terminal text, in the style of RFC 9293's figures:
 * one row an event, both ends' states after it, `-->` where a segment leaves or arrives and `...`
 * while it is on its way.
 */
import type { SimResult, SimStep, WirePacket } from '../sim/types.js';
import { segmentText, type TcpState } from '../tcp/index.js';
import { wrap } from './svg.js';

/** How a renderer colours: the CLI passes its `paint`, tests and files pass nothing. */
export type Styler = (
  role: 'client' | 'server' | 'changed' | 'anomaly' | 'dim' | 'title',
  text: string,
) => string;

const plain: Styler = (_role, text) => text;

/** Milliseconds as `0ms`, `210ms`, `1.010s`, `60.310s`. */
export function formatTime(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(3)}s`;
}

function endText(v: SimStep['client']): string {
  const others = Object.entries(v.others ?? {})
    .map(([s, n]) => `+${n} ${s}`)
    .join(' ');
  return `${v.state}${v.down ? ' (down)' : ''}${others ? ` (${others})` : ''}`;
}

/** Which way a packet goes, from the ends' point of view. */
function direction(p: WirePacket): 'right' | 'left' {
  return p.from.host === 'client' || p.to.host === 'server' ? 'right' : 'left';
}

function arrows(s: SimStep): [string, string] {
  const p = s.packet;
  if (!p) return ['   ', '   '];
  const right = direction(p) === 'right';
  switch (s.kind) {
    case 'send':
      return right ? ['-->', '...'] : ['...', '<--'];
    case 'arrive':
      return right ? ['...', '-->'] : ['<--', '...'];
    default:
      return right ? ['...', ' x '] : [' x ', '...'];
  }
}

function eventText(s: SimStep, why: boolean): string {
  const p = s.packet;
  const far = p && (!['client', 'server'].includes(p.from.host) || !['client', 'server'].includes(p.to.host));
  const via = far ? ` [${p.from.host}:${p.from.port} > ${p.to.host}:${p.to.port}]` : '';
  const anomalies = s.anomalies.length ? ` {${s.anomalies.map((a) => a.id).join(', ')}}` : '';
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

/** The whole ladder: title, what the scenario teaches, the rows, the final states. */
export function ladderText(res: SimResult, opts: { style?: Styler; why?: boolean } = {}): string {
  const st = opts.style ?? plain;
  const sc = res.scenario;
  const rows = res.steps.map((s) => ({ s, seg: s.packet ? segmentText(s.packet.segment) : '' }));
  const segW = Math.max(20, ...rows.map((r) => r.seg.length));
  const cW = Math.max(11, ...res.steps.map((s) => endText(s.client).length));
  const sW = Math.max(11, ...res.steps.map((s) => endText(s.server).length));
  const tW = Math.max(5, ...res.steps.map((s) => formatTime(s.time).length));
  const nW = String(res.steps.length).length;
  const out: string[] = [st('title', `${sc.title} (${sc.id})`)];
  for (const line of wrap(sc.about, 100)) out.push(st('dim', line));
  out.push('');
  const head = `${' '.repeat(nW)}  ${'time'.padStart(tW)}  ${sc.settings.client.label.padEnd(cW)}  ${' '.repeat(segW + 8)}  ${sc.settings.server.label.padEnd(sW)}`;
  out.push(st('dim', head.trimEnd()));
  let prev: { c: TcpState; s: TcpState } | undefined;
  for (const { s, seg } of rows) {
    const [l, r] = arrows(s);
    const c = endText(s.client).padEnd(cW);
    const sv = endText(s.server).padEnd(sW);
    const cStyled = prev && prev.c !== s.client.state ? st('changed', c) : c;
    const sStyled = prev && prev.s !== s.server.state ? st('changed', sv) : sv;
    const segStyled = s.packet
      ? st(direction(s.packet) === 'right' ? 'client' : 'server', seg.padEnd(segW))
      : ' '.repeat(segW);
    const ev = eventText(s, opts.why ?? true);
    const evStyled = s.anomalies.length ? st('anomaly', ev) : s.kind === 'note' ? st('dim', ev) : ev;
    out.push(
      `${String(s.n).padStart(nW)}  ${formatTime(s.time).padStart(tW)}  ${cStyled}  ${l} ${segStyled} ${r}  ${sStyled}  ${evStyled}`.trimEnd(),
    );
    prev = { c: s.client.state, s: s.server.state };
  }
  const last = res.steps.at(-1);
  if (last)
    out.push(
      '',
      `final: ${sc.settings.client.label} ${endText(last.client)}, ${sc.settings.server.label} ${endText(last.server)}`,
    );
  if (res.truncated)
    out.push(st('anomaly', `stopped at ${formatTime(sc.settings.untilMs)} with events still pending`));
  return `${out.join('\n')}\n`;
}
