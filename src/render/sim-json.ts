/**
 * A simulation as JSON (`tcpscope simulate --json`): every step with both ends' states by their
 * Linux names, the segment it carries, the transitions and anomalies, and the final states.
 */
import type { SimAddr, SimResult, SimStep } from '../sim/types.js';
import { flagsText } from '../tcp/index.js';

const addr = (a: SimAddr) => `${a.host}:${a.port}`;

function stepJson(s: SimStep): Record<string, unknown> {
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
    client: s.client,
    server: s.server,
  };
}

/** The JSON document of a run. */
export function simulationJson(res: SimResult): Record<string, unknown> {
  const sc = res.scenario;
  const last = res.steps.at(-1);
  return {
    scenario: sc.id,
    title: sc.title,
    about: sc.about,
    latencyMs: sc.settings.latencyMs,
    steps: res.steps.map(stepJson),
    final: { client: last?.client.state ?? 'CLOSE', server: last?.server.state ?? 'CLOSE' },
    truncated: res.truncated,
  };
}
