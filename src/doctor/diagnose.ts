/**
 * Runs the rules over one input and orders the findings, worst first. Pure: the explanations come
 * from the knowledge base through `explain`, the input from gather.ts. Each rule completes its own
 * findings; a rule that needs the window is skipped under `--now`, with what it would have needed.
 */
import { ownersHidden } from '../tcp/socket.js';
import { closeWaitLeak } from './rules/close-wait.js';
import { connectFailures } from './rules/connect-failures.js';
import { halfOpen, resets, retransmits, tcpMemory } from './rules/health.js';
import { listenAudit } from './rules/listen-audit.js';
import { portExhaustion } from './rules/port-exhaustion.js';
import { acceptQueue, recvQueue, sendQueue } from './rules/queues.js';
import { synFlood, synSentStorm } from './rules/syn.js';
import { finWaitPileup, lastAckPileup, timeWaitPressure } from './rules/teardown.js';
import {
  type DoctorInput,
  type Explainer,
  type Finding,
  type Rule,
  SEVERITIES,
  type Unseen,
} from './types.js';

export type { Explainer };

/** Every rule, in the order the report lists findings of equal severity. */
export const RULES: readonly Rule[] = [
  synFlood,
  acceptQueue,
  closeWaitLeak,
  connectFailures,
  portExhaustion,
  synSentStorm,
  timeWaitPressure,
  finWaitPileup,
  lastAckPileup,
  halfOpen,
  recvQueue,
  sendQueue,
  tcpMemory,
  retransmits,
  resets,
  listenAudit,
];

export interface Diagnosis {
  findings: Finding[];
  /** Rules not run, with the reason (what one snapshot cannot prove; no tcp_info). */
  skipped: { rule: string; reason: string }[];
  /** Processes whose sockets' owners could not be seen (not root): their sockets are not blamed on nobody. */
  unseen?: Unseen;
}

const NO_EXPLANATION: Explainer = () => ({ why: '', remedies: [], commands: [] });

/** All findings of all rules, worst first. */
export function diagnose(input: DoctorInput, explain: Explainer = NO_EXPLANATION): Diagnosis {
  const findings: Finding[] = [];
  const skipped: Diagnosis['skipped'] = [];
  for (const rule of RULES) {
    if (rule.needsWindow && !input.window) {
      skipped.push({ rule: rule.id, reason: rule.needsWindow });
      continue;
    }
    findings.push(...rule.run(input, explain));
  }
  const order = (f: Finding): number => -SEVERITIES.indexOf(f.severity);
  findings.sort((a, b) => order(a) - order(b));
  const d: Diagnosis = { findings, skipped };
  const unseen = input.snapshot.unseen;
  if (unseen && ownersHidden(unseen)) d.unseen = unseen;
  return d;
}

/** Whether a finding reaches `--fail-on`. */
export function reaches(f: Finding, failOn: Finding['severity'] | 'never'): boolean {
  return failOn !== 'never' && SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(failOn);
}
