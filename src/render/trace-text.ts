/**
 * Transitions, notes and connection lives as lines, like bcc's tcpstates and tcplife print them, and
 * as NDJSON in the contract's shapes; per-state duration histograms like bcc's log2 histograms. Pure.
 */

import { endpointOf } from '../net/endpoint.js';
import type { TcpState } from '../tcp/states.js';
import type { ConnectionLife, DurationHistogram } from '../trace/life.js';
import type { TraceItem, TraceNote, TraceOwner, TraceTransition } from '../trace/types.js';

/** `12:00:00.123456` in local time (the `HH:MM:SS.` of a second is made once: lines come in bursts). */
export function clockText(timeMs: number): string {
  const sec = Math.floor(timeMs / 1000);
  if (sec !== clockSec) {
    const d = new Date(sec * 1000);
    clockSec = sec;
    clockHead = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`;
  }
  // A hair added so that a whole microsecond given as milliseconds is not floored below itself.
  const us = Math.floor((timeMs - sec * 1000) * 1000 + 1e-6);
  return `${clockHead}${String(Math.min(999_999, Math.max(0, us))).padStart(6, '0')}`;
}
let clockSec = Number.NaN;
let clockHead = '';
const p2 = (n: number) => String(n).padStart(2, '0');

function ownerCell(o: TraceOwner | undefined): string {
  if (!o) return '-';
  return `${o.command ?? '?'}[${o.pid}]`;
}

/** Milliseconds with three decimals below 10 s, whole above. */
export function msText(ms: number): string {
  return ms < 10_000 ? ms.toFixed(3) : String(Math.round(ms));
}

export const TRACE_HEADER = `${[
  'TIME'.padEnd(15),
  'PROCESS'.padEnd(20),
  'LOCAL'.padEnd(24),
  'REMOTE'.padEnd(24),
  'TRANSITION'.padEnd(28),
  'MS',
].join(' ')}\n`;

/** One line per item: transitions like tcpstates (with the time spent in the old state when measured). */
export function itemLine(i: TraceItem): string {
  const head = [
    clockText(i.timeMs).padEnd(15),
    ownerCell(i.owner).padEnd(20),
    (i.local ? endpointOf(i.local) : '-').padEnd(24),
    (i.remote ? endpointOf(i.remote) : '-').padEnd(24),
  ];
  if (i.kind === 'transition') {
    const to = i.inferred ? `${i.to}*` : i.to;
    const ms = i.durationMs !== undefined ? msText(i.durationMs) : '';
    return `${[...head, `${i.from} -> ${to}`.padEnd(28), ms].join(' ').trimEnd()}\n`;
  }
  return `${[...head, noteText(i)].join(' ').trimEnd()}\n`;
}

function noteText(n: TraceNote): string {
  const state = n.state ? ` in ${n.state}` : '';
  const err = n.error ? ` ${n.error.name}` : '';
  return `[${n.kind}${err}${state}]`;
}

/** The contract's transition object (docs/json.md, `trace --json`), extended (`durationMs`, `owner`, `announced`, `intervalMs`). */
export function transitionJson(t: TraceTransition): Record<string, unknown> {
  const o: Record<string, unknown> = {
    time: new Date(t.timeMs).toISOString(),
    family: t.family,
    local: t.local,
    remote: t.remote,
    from: t.from,
    to: t.to,
    source: t.source,
  };
  if (t.inferred) o['inferred'] = true;
  if (t.announced) o['announced'] = t.announced;
  if (t.durationMs !== undefined) o['durationMs'] = round3(t.durationMs);
  if (t.owner) o['owner'] = { pid: t.owner.pid, command: t.owner.command, via: t.owner.via };
  if (t.intervalMs !== undefined) o['intervalMs'] = t.intervalMs;
  if (t.skaddr) o['skaddr'] = t.skaddr;
  return o;
}

/** A note as NDJSON: `event` names it (transitions have no `event` key). */
export function noteJson(n: TraceNote): Record<string, unknown> {
  const o: Record<string, unknown> = {
    time: new Date(n.timeMs).toISOString(),
    event: n.kind,
    source: 'kernel',
  };
  if (n.family) o['family'] = n.family;
  if (n.local) o['local'] = n.local;
  if (n.remote) o['remote'] = n.remote;
  if (n.state) o['state'] = n.state;
  if (n.error) o['error'] = n.error;
  if (n.owner) o['owner'] = { pid: n.owner.pid, command: n.owner.command, via: n.owner.via };
  if (n.skaddr) o['skaddr'] = n.skaddr;
  return o;
}

/**
 * One NDJSON line. Transitions are written by hand, the same keys in the same order as
 * `transitionJson` (addresses and state names need no escaping; the command does): this runs for
 * every transition at 100,000 a second.
 */
export function itemJsonLine(i: TraceItem): string {
  if (i.kind !== 'transition') return `${JSON.stringify(noteJson(i))}\n`;
  let s = `{"time":"${isoOf(i.timeMs)}","family":${i.family},"local":{"address":"${i.local.address}","port":${i.local.port}},"remote":{"address":"${i.remote.address}","port":${i.remote.port}},"from":"${i.from}","to":"${i.to}","source":"${i.source}"`;
  if (i.inferred) s += ',"inferred":true';
  if (i.announced) s += `,"announced":"${i.announced}"`;
  if (i.durationMs !== undefined) s += `,"durationMs":${round3(i.durationMs)}`;
  if (i.owner) {
    const cmd = i.owner.command === undefined ? '' : `,"command":${JSON.stringify(i.owner.command)}`;
    s += `,"owner":{"pid":${i.owner.pid}${cmd},"via":"${i.owner.via}"}`;
  }
  if (i.intervalMs !== undefined) s += `,"intervalMs":${i.intervalMs}`;
  if (i.skaddr) s += `,"skaddr":"${i.skaddr}"`;
  return `${s}}\n`;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

// Many transitions share a millisecond at high rates: its ISO text is made once.
let isoMs = Number.NaN;
let isoText = '';
function isoOf(timeMs: number): string {
  const ms = Math.floor(timeMs);
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

export const LIFE_HEADER = `${[
  'END'.padEnd(15),
  'PROCESS'.padEnd(20),
  'LOCAL'.padEnd(24),
  'REMOTE'.padEnd(24),
  'TX_KB'.padStart(8),
  'RX_KB'.padStart(8),
  'MS'.padStart(10),
  'STATES',
].join(' ')}\n`;

/** One finished connection like tcplife (duration blank when its beginning was not seen). */
export function lifeLine(l: ConnectionLife): string {
  return `${[
    clockText(l.timeMs).padEnd(15),
    ownerCell(l.owner).padEnd(20),
    endpointOf(l.local).padEnd(24),
    endpointOf(l.remote).padEnd(24),
    (l.bytes ? String(Math.floor(l.bytes.sent / 1024)) : '-').padStart(8),
    (l.bytes ? String(Math.floor(l.bytes.received / 1024)) : '-').padStart(8),
    (l.durationMs !== undefined ? msText(l.durationMs) : '-').padStart(10),
    (l.opened === 'unseen' ? '... ' : '') + l.states.join(' > '),
  ].join(' ')}\n`;
}

/** One `life --json` line (docs/json.md). */
export function lifeJson(l: ConnectionLife): Record<string, unknown> {
  const o: Record<string, unknown> = {
    time: new Date(l.timeMs).toISOString(),
    family: l.family,
    local: l.local,
    remote: l.remote,
    opened: l.opened,
    states: l.states,
    stateMs: Object.fromEntries(Object.entries(l.stateMs).map(([k, v]) => [k, round3(v)])),
    source: l.source,
  };
  if (l.durationMs !== undefined) o['durationMs'] = round3(l.durationMs);
  if (l.owner) o['owner'] = { pid: l.owner.pid, command: l.owner.command, via: l.owner.via };
  if (l.bytes) o['bytes'] = { sent: l.bytes.sent, received: l.bytes.received, ageMs: round3(l.bytes.ageMs) };
  return o;
}

/** A bucket's lower bound in µs as text: `0`, `2us`, `1ms`, `2s`. */
function bound(us: number): string {
  if (us < 1000) return `${us}us`;
  if (us < 1_000_000) return `${us / 1000}ms`.replace(/(\.\d)\d+/, '$1');
  return `${us / 1_000_000}s`.replace(/(\.\d)\d+/, '$1');
}

/** A log2 histogram as text: one row per bucket from the first to the last non-empty. */
export function histogramText(state: TcpState, h: DurationHistogram, width = 40): string {
  const max = Math.max(...h.buckets);
  const first = h.buckets.findIndex((n) => n > 0);
  const rows = [
    `${state}: ${h.count} measured, min ${msText(h.minMs)} ms, mean ${msText(h.sumMs / h.count)} ms, max ${msText(h.maxMs)} ms\n`,
  ];
  for (let i = Math.max(0, first); i < h.buckets.length; i++) {
    const n = h.buckets[i] ?? 0;
    const lo = i === 0 ? '0' : bound(2 ** i);
    const hi = bound(2 ** (i + 1));
    const stars = '*'.repeat(max > 0 ? Math.round((n / max) * width) : 0);
    rows.push(`  ${`${lo} .. ${hi}`.padStart(18)} ${String(n).padStart(8)} |${stars.padEnd(width)}|\n`);
  }
  return rows.join('');
}
