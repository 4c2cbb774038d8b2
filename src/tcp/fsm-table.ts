/**
 * The transition table: for every state and every event class, the outcome. Cells the rows leave out
 * are events that do not arise in that state from a correct peer (an ACK of our FIN before we sent
 * one); they still have an outcome, "no change", flagged as the anomaly `unexpected`.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2 (Figure 5, the state diagram)
 */
import type { Row } from './_fsm-outcome.js';
import { CALL_ROWS } from './fsm-table-calls.js';
import { OTHER_ROWS } from './fsm-table-other.js';
import { RECV_ROWS } from './fsm-table-recv.js';
import type { EventClass, Outcome } from './fsm-types.js';
import { TCP_STATES, type TcpState } from './states.js';

const UNEXPECTED: Outcome = {
  why: 'does not arise in this state: ignored',
  rfc: '3.10.7',
  anomaly: 'unexpected',
};

/** The table, one merged row a state. */
export const TRANSITION_TABLE: Readonly<Record<TcpState, Row>> = Object.fromEntries(
  TCP_STATES.map((s) => [s, { ...CALL_ROWS[s], ...RECV_ROWS[s], ...OTHER_ROWS[s] }]),
) as Record<TcpState, Row>;

/** Whether the table names this cell (false: the event does not arise there). */
export function isDefinedCell(state: TcpState, cls: EventClass): boolean {
  return TRANSITION_TABLE[state][cls] !== undefined;
}

/** The outcome of an event class in a state, for an end that came from LISTEN or not. */
export function outcomeOf(state: TcpState, cls: EventClass, passive = false): Outcome {
  const cell = TRANSITION_TABLE[state][cls] ?? UNEXPECTED;
  if (passive && cell.passive) return cell.passive;
  return cell;
}
