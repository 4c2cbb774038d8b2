/** Anomalies named in words for the ladders (the JSON keeps the ids). Pure. */
import type { AnomalyId } from '../tcp/index.js';

const SHORT: Record<AnomalyId, string> = {
  'connection-refused': 'connection refused',
  'connection-reset': 'connection reset',
  'rst-in-syn-recv': 'half-open connection reset',
  'challenge-ack': 'challenge ACK',
  'bad-ack': 'unacceptable ACK',
  'no-socket': 'no socket for it',
  'syn-in-syn-recv': 'new SYN while half-open',
  'time-wait-reuse': 'TIME_WAIT reused',
  'time-wait-assassination': 'TIME_WAIT ended by RST',
  timeout: 'gave up (timeout)',
  'orphan-timeout': 'orphan gave up (timeout)',
  'abort-on-close': 'reset on close',
  'abort-on-data': 'reset on data after close',
  'abort-by-program': 'reset by the program',
  'call-error': 'call failed',
  unexpected: 'unexpected',
};

/** `challenge ACK`, `gave up (timeout)`: an anomaly as a reader names it. */
export function anomalyText(id: AnomalyId): string {
  return SHORT[id] ?? id;
}

/** The anomalies of a row as one phrase: `anomaly: challenge ACK`, or '' when there are none. */
export function anomaliesPhrase(ids: readonly AnomalyId[]): string {
  if (ids.length === 0) return '';
  return `${ids.length > 1 ? 'anomalies' : 'anomaly'}: ${ids.map(anomalyText).join(', ')}`;
}
