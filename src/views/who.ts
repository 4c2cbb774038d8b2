/**
 * `who PORT --json`: `{ address?, port, processes: [{ pid, command, user, sockets }], unowned }`
 * (docs/json.md): the processes holding sockets with the port at either end, then the sockets no
 * process holds. The sockets must have been read with owners.
 */

import { type WhoResult, type WhoTarget, whoHolds } from '../snapshot/who.js';
import type { Socket } from '../tcp/socket.js';

/** The `who --json` shape: who holds `target` among `sockets`. */
export function whoView(sockets: readonly Socket[], target: WhoTarget): WhoResult {
  return whoHolds(sockets, target);
}
