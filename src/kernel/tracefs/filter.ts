/**
 * What a reader wants, as tracefs filter expressions the kernel applies before recording. Pure.
 * The language wants numbers: `protocol == 6`, ports in host order. A condition goes only to events
 * whose format has the fields it names (tcp_send_reset on 6.10+ has no `sport`): the rest is
 * filtered again in user space by whoever reads.
 * @see Documentation/trace/events.rst, section 5 "Event filtering"
 */
import type { TraceEventName } from './events.js';
import { IPPROTO } from './events.js';
import type { EventFormat } from './format.js';

/** Conditions on the events: any of these ports at either end, one family, TCP only (default). */
export interface TraceFilter {
  readonly ports?: readonly number[];
  readonly family?: 4 | 6;
  /** Keep only TCP in the state and error events (they also fire for SCTP, MPTCP and DCCP). */
  readonly tcpOnly?: boolean;
  /** Only failed connect() calls from `sys_exit_connect` (a negative return other than EINPROGRESS). */
  readonly connectErrors?: boolean;
}

/** One filter expression per event, or none where nothing applies. */
export function kernelFilters(
  formats: ReadonlyMap<TraceEventName, EventFormat>,
  f: TraceFilter,
): Partial<Record<TraceEventName, string>> {
  const out: Partial<Record<TraceEventName, string>> = {};
  for (const [name, fmt] of formats) {
    const has = (n: string) => fmt.fields.has(n);
    const parts: string[] = [];
    if ((f.tcpOnly ?? true) && has('protocol')) parts.push(`protocol == ${IPPROTO.TCP}`);
    if (f.family !== undefined && has('family')) parts.push(`family == ${f.family === 4 ? 2 : 10}`);
    const ports = f.ports ?? [];
    if (ports.length > 0 && has('sport') && has('dport')) {
      const any = ports.map((p) => `sport == ${p} || dport == ${p}`);
      // connect() announces SYN_SENT before it picks the local port (sport 0): those pass, and the
      // reader decides once a later event of the socket names its port.
      if (has('newstate')) any.push('sport == 0 && newstate == 2');
      parts.push(`(${any.join(' || ')})`);
    }
    if (f.connectErrors && name === 'sys_exit_connect' && has('ret')) parts.push('ret < 0 && ret != -115');
    if (parts.length > 0) out[name] = parts.join(' && ');
  }
  return out;
}
