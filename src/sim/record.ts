/** Internal: turning a step of the machine into a row of the ladder. */

import type { ConnEvent } from '../flow/trace.js';
import type { EventClass, StepResult } from '../tcp/index.js';
import type { Side } from './types.js';

/** A row before it is numbered and given both ends' states. */
export type RowDraft = Omit<ConnEvent, 'n' | 'views' | 'transitions' | 'anomalies'> &
  Partial<Pick<ConnEvent, 'transitions' | 'anomalies'>>;

/** Classes whose explanation would only be noise on every row. */
const QUIET = new Set<EventClass>(['ack', 'data', 'read', 'sent-other', 'send']);

/**
 * The row of a step. Transitions of connections other than the main one (a listener's half-open
 * requests) are not the ends' states: they show in the row's `others` count instead.
 */
export function recordStep(base: RowDraft, r: StepResult, side: Side, other: boolean): RowDraft {
  const own = other ? [] : r.transitions.map((t) => ({ end: side, from: t.from, to: t.to, cause: t.cause }));
  const transitions = [...(base.transitions ?? []), ...own];
  const anomalies = r.anomalies.map((a) => ({ end: side, id: a.id, state: a.state }));
  const telling = r.applied.filter(
    (a) => !QUIET.has(a.cls) || a.outcome.to !== undefined || a.outcome.anomaly,
  );
  const why = telling.map((a) => a.outcome.why).join('; ');
  const row: RowDraft = { ...base, transitions, anomalies };
  return why === '' ? row : { ...row, why: other ? `(another connection) ${why}` : why };
}
