/** Internal: short constructors for the cells of the transition table. */
import type { EventClass, Outcome } from './fsm-types.js';
import type { TcpState } from './states.js';

/** A table row: the outcome of each event class in one state (missing classes do not arise there). */
export type Row = Partial<Record<EventClass, Outcome>>;

/** No change of state. */
export function stay(why: string, rfc: string, extra: Omit<Outcome, 'why' | 'rfc' | 'to'> = {}): Outcome {
  return { why, rfc, ...extra };
}

/** A transition to `to`. */
export function go(
  to: TcpState,
  why: string,
  rfc: string,
  extra: Omit<Outcome, 'why' | 'rfc' | 'to'> = {},
): Outcome {
  return { to, why, rfc, ...extra };
}
