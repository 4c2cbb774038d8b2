/**
 * Socket tables read every interval beside a kernel trace: what `life` pairs with the events to
 * time the phases no event times (src/trace/phases.ts) and to read each connection's bytes from
 * tcp_info while it is open. Only the states that matter are dumped, with the filter's ports and
 * addresses applied by the kernel.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openProbe, type Probe } from '../probe/probe.js';
import type { FilterSpec } from '../snapshot/filter.js';
import type { Socket } from '../tcp/socket.js';
import { maskOf } from '../tcp/state-names.js';

/** Requests and timewait sockets; with bytes, the states of an open connection too. */
const PHASES = maskOf('SYN_RECV', 'FIN_WAIT2', 'TIME_WAIT');
const OPEN = maskOf('ESTABLISHED', 'FIN_WAIT1', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING');

export interface TableOptions {
  readonly intervalMs: number;
  /** The `ls` filters: ports, addresses and family go to the kernel (states do not). */
  readonly filter?: FilterSpec;
  /** Read tcp_info of open connections (their bytes). */
  readonly bytes: boolean;
  readonly signal?: AbortSignal;
  readonly procRoot?: string;
  /** Called once if a table cannot be read; the loop then stops. */
  readonly note?: (line: string) => void;
}

/**
 * Reads a table every `intervalMs` until the signal aborts, and one last table then (what ended
 * before the stop is seen gone), handing each over with the moment it stands for (the middle of its
 * dump). One sock_diag socket is kept for all of them (a probe).
 */
export async function readTables(
  o: TableOptions,
  onTable: (atMs: number, sockets: readonly Socket[]) => void,
): Promise<void> {
  const { states: _states, pids: _pids, process: _process, ...kernelPart } = o.filter ?? {};
  const spec: FilterSpec = { ...kernelPart, states: o.bytes ? PHASES | OPEN : PHASES };
  let probe: Probe;
  try {
    probe = await openProbe(o.procRoot ? { procRoot: o.procRoot } : {});
  } catch (e) {
    o.note?.(`socket tables not read (${(e as Error).message}): phases without events stay unmeasured`);
    return;
  }
  try {
    for (;;) {
      const last = o.signal?.aborted === true;
      const before = Date.now();
      try {
        const snap = await probe.select(spec, o.bytes ? { info: true } : {});
        onTable((before + Date.now()) / 2, snap.sockets);
      } catch (e) {
        o.note?.(`socket tables not read (${(e as Error).message}): phases without events stay unmeasured`);
        return;
      }
      if (last) return;
      const wait = before + o.intervalMs - Date.now();
      await sleep(Math.max(0, wait), undefined, o.signal ? { signal: o.signal } : {}).catch(() => undefined);
    }
  } finally {
    await probe.close();
  }
}
