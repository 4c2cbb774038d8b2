/**
 * Socket counts by state from a saved JSON document: the output of `tcpscope ls --json`
 * (`{ sockets: [{ state }] }`) or of `tcpscope count --json` (`{ total, states: { STATE: n } }`).
 * State names go through the same parser users' words do, so `SYN-RECEIVED` or `time_wait` count too.
 */
import { ParseError } from '../errors.js';
import { parseStateName, type TcpState } from '../tcp/index.js';

export type StateCounts = Partial<Record<TcpState, number>>;

/** Counts from a parsed JSON value; `where` names the file in errors. */
export function stateCountsFromJson(value: unknown, where: string): StateCounts {
  if (typeof value !== 'object' || value === null) throw new ParseError(`${where}: not a JSON object`);
  const doc = value as { sockets?: unknown; states?: unknown };
  const counts: StateCounts = {};
  const add = (name: unknown, n: number, at: string) => {
    const state = typeof name === 'string' ? parseStateName(name) : undefined;
    if (state === undefined) throw new ParseError(`${where}: ${at}: unknown state ${JSON.stringify(name)}`);
    if (!Number.isInteger(n) || n < 0) throw new ParseError(`${where}: ${at}: count must be a whole number`);
    counts[state] = (counts[state] ?? 0) + n;
  };
  if (Array.isArray(doc.sockets)) {
    doc.sockets.forEach((s: unknown, i) => {
      add((s as { state?: unknown } | null)?.state, 1, `sockets[${i}]`);
    });
    return counts;
  }
  if (typeof doc.states === 'object' && doc.states !== null) {
    for (const [name, n] of Object.entries(doc.states)) add(name, Number(n), `states.${name}`);
    return counts;
  }
  throw new ParseError(
    `${where}: expected the output of 'tcpscope ls --json' ({sockets}) or 'count --json' ({states})`,
  );
}
