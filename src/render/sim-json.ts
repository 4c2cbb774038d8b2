/**
 * A connection trace as JSON (`tcpscope simulate --json`, `tcpscope pcap --timeline --json`): every
 * event with both ends' states by their Linux names (keyed by the ends' ids), the segment it carries,
 * the transitions and anomalies, and the final states.
 */
import type { ConnEvent, ConnTrace, TraceAddr } from '../flow/trace.js';
import { formatEndpoint } from '../net/endpoint.js';
import { flagsText } from '../tcp/index.js';

const addr = (a: TraceAddr) => formatEndpoint(a.host, a.port);

function stepJson(tr: ConnTrace, s: ConnEvent): Record<string, unknown> {
  const p = s.packet;
  return {
    n: s.n,
    timeMs: s.time,
    kind: s.kind,
    at: s.at,
    text: s.text,
    ...(p
      ? {
          segment: {
            id: p.id,
            from: addr(p.from),
            to: addr(p.to),
            flags: flagsText(p.segment.flags),
            seq: p.segment.seq,
            ack: p.segment.ack,
            len: p.segment.len,
          },
        }
      : {}),
    ...(s.why ? { why: s.why } : {}),
    transitions: s.transitions,
    anomalies: s.anomalies,
    [tr.ends[0].id]: s.views[0],
    [tr.ends[1].id]: s.views[1],
  };
}

/** The JSON document of a trace (a simulation's keeps the `scenario` key it always had). */
export function simulationJson(tr: ConnTrace): Record<string, unknown> {
  const last = tr.events.at(-1);
  return {
    ...(tr.source === 'simulation' ? { scenario: tr.id } : { connection: tr.id }),
    title: tr.title,
    about: tr.about,
    ...(tr.latencyMs === undefined ? {} : { latencyMs: tr.latencyMs }),
    ...(tr.startUs === undefined ? {} : { start: new Date(tr.startUs / 1000).toISOString() }),
    steps: tr.events.map((s) => stepJson(tr, s)),
    final: {
      [tr.ends[0].id]: last?.views[0].state ?? 'CLOSE',
      [tr.ends[1].id]: last?.views[1].state ?? 'CLOSE',
    },
    truncated: tr.truncated,
  };
}
