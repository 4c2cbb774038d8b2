/**
 * `count --json`: sockets per state, or state by port, process, peer or local address (docs/json.md:
 * `{ total, states }`, or `{ by, rows }` with the top rows and "(other)"). One function for the CLI
 * and the servers.
 */
import { processKey } from '../render/socket-text.js';
import {
  type CountByResult,
  type CountKey,
  type CountResult,
  countBy,
  countStates,
} from '../snapshot/aggregate.js';
import type { Socket } from '../tcp/socket.js';

/** The key each `--by` counts under. */
export const COUNT_KEY_OF: Record<CountKey, (s: Socket) => string> = {
  port: (s) => String(s.local.port),
  peer: (s) => s.remote.address,
  local: (s) => s.local.address,
  process: processKey,
};

export interface CountViewOptions {
  /** Cross-tab by this key; per state alone without it. */
  by?: CountKey;
  /** Rows kept with `by` (10 by default), the rest summed under "(other)". */
  top?: number;
}

/** The `count --json` shape of a table's sockets: per state, or by `opts.by`. */
export function countView(sockets: readonly Socket[], opts?: { by?: never; top?: number }): CountResult;
export function countView(sockets: readonly Socket[], opts: { by: CountKey; top?: number }): CountByResult;
export function countView(sockets: readonly Socket[], opts: CountViewOptions): CountResult | CountByResult;
export function countView(
  sockets: readonly Socket[],
  opts: CountViewOptions = {},
): CountResult | CountByResult {
  if (opts.by === undefined) return countStates(sockets);
  return countBy(sockets, opts.by, COUNT_KEY_OF[opts.by], opts.top ?? 10);
}

/** The `count --json` shape of counts already made (the fast path's, or a probe's): `{ total, states }`. */
export function countsView(counts: CountResult): CountResult {
  return { total: counts.total, states: counts.states };
}
