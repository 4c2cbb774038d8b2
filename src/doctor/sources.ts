/**
 * Which entries of the knowledge base (src/tcp/knowledge) each rule rests on: the explainer reads
 * them for a finding's why and fixes, and the servers link a finding to the first (`/explain/...`).
 * Types only from the knowledge base, so this loads none of its text.
 */
import type { ExplainTarget } from '../tcp/knowledge/index.js';

/** The knowledge-base entries behind each rule. */
export const SOURCES: Record<string, ExplainTarget[]> = {
  'listen-audit': [{ kind: 'state', state: 'LISTEN' }],
  'syn-flood': [{ kind: 'topic', id: 'syn-flood' }],
  'syn-sent-storm': [{ kind: 'state', state: 'SYN_SENT' }],
  'accept-queue': [{ kind: 'topic', id: 'accept-queue-overflow' }],
  'close-wait-leak': [{ kind: 'topic', id: 'close-wait-leak' }],
  'time-wait-pressure': [{ kind: 'topic', id: 'time-wait' }],
  'port-exhaustion': [{ kind: 'topic', id: 'port-exhaustion' }],
  'fin-wait-pileup': [
    { kind: 'state', state: 'FIN_WAIT1' },
    { kind: 'state', state: 'FIN_WAIT2' },
  ],
  'last-ack-pileup': [{ kind: 'state', state: 'LAST_ACK' }],
  'half-open': [{ kind: 'topic', id: 'half-open' }],
};

/** The path under `/explain/` of a rule's first entry (`topic/syn-flood`, `syn-sent`), if it has one. */
export function explainPathOf(rule: string): string | undefined {
  const t = SOURCES[rule]?.[0];
  if (!t) return undefined;
  return t.kind === 'topic' ? `topic/${t.id}` : t.state.toLowerCase().replace(/_/g, '-');
}
