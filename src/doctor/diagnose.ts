/**
 * Runs the rules over one input and orders the findings, worst first. Pure: the explanations come
 * from the knowledge base through `explain`, the input from gather.ts.
 */
import { closeWaitLeak } from './rules/close-wait.js';
import { halfOpen, resets, retransmits, tcpMemory } from './rules/health.js';
import { listenAudit } from './rules/listen-audit.js';
import { acceptQueue, recvQueue, sendQueue } from './rules/queues.js';
import { synFlood, synSentStorm } from './rules/syn.js';
import { finWaitPileup, lastAckPileup, timeWaitPressure } from './rules/teardown.js';
import { type DoctorInput, type Finding, type Rule, SEVERITIES } from './types.js';

/** Every rule, in the order the report lists findings of equal severity. */
export const RULES: readonly Rule[] = [
  synFlood,
  acceptQueue,
  closeWaitLeak,
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

/** Why a rule matters, what fixes it and what to run next, in the input's language. */
export type Explainer = (
  rule: string,
  lang: 'en' | 'zh',
) => { why: string; remedies: string[]; commands: string[] };

export interface Diagnosis {
  findings: Finding[];
  /** Rules not run, with the reason (no window, no tcp_info). */
  skipped: { rule: string; reason: string }[];
}

/** All findings of all rules, worst first; explanations filled in from `explain`. */
export function diagnose(input: DoctorInput, explain?: Explainer): Diagnosis {
  const findings: Finding[] = [];
  const skipped: Diagnosis['skipped'] = [];
  for (const rule of RULES) {
    if (rule.needsWindow && !input.interval) {
      skipped.push({ rule: rule.id, reason: 'needs a counter window (without --now)' });
      continue;
    }
    for (const f of rule.run(input)) {
      if (explain) {
        const e = explain(f.rule, input.lang);
        f.why = e.why;
        f.remedies = e.remedies;
        f.commands = [...f.commands, ...e.commands.filter((c) => !f.commands.includes(c))];
      }
      findings.push(f);
    }
  }
  if (input.snapshot.source !== 'netlink') {
    skipped.push({ rule: 'half-open', reason: 'needs tcp_info (the netlink source)' });
  }
  const order = (f: Finding): number => -SEVERITIES.indexOf(f.severity);
  findings.sort((a, b) => order(a) - order(b));
  return { findings, skipped };
}

/** Whether a finding reaches `--fail-on`. */
export function reaches(f: Finding, failOn: Finding['severity'] | 'never'): boolean {
  return failOn !== 'never' && SEVERITIES.indexOf(f.severity) >= SEVERITIES.indexOf(failOn);
}
