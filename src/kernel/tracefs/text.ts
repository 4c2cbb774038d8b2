/**
 * Lines of the text pipe (`trace_pipe`) to typed events: for tests, and as the fallback when the
 * binary ring cannot be read. Pure. A line it cannot read is counted by the caller, never thrown.
 *
 *   `  curl-4242  (   4242) [001] ..s2.  1234.567890: inet_sock_set_state: family=AF_INET ...`
 *
 * The tgid column appears with `options/record-tgid`; the flags column (`..s2.`) varies by kernel
 * and is absent with some options. The text never carries `skaddr` for the state event: events of
 * one socket are then paired by their endpoints.
 * @see kernel/trace/trace_output.c (trace_print_context, lat_print_generic)
 */
import { IPPROTO, type ResetEvent, type RetransmitEvent, type TraceEvent } from './events.js';

const LINE =
  /^\s*(.*?)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s:]+\s+)?(\d+)\.(\d+):\s+(?:(\w+):\s+(.*)|sys_(\w+) -> (0x[0-9a-f]+))\s*$/;

const STATE_CODES: Record<string, number> = {
  TCP_ESTABLISHED: 1,
  TCP_SYN_SENT: 2,
  TCP_SYN_RECV: 3,
  TCP_FIN_WAIT1: 4,
  TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7,
  TCP_CLOSE_WAIT: 8,
  TCP_LAST_ACK: 9,
  TCP_LISTEN: 10,
  TCP_CLOSING: 11,
  TCP_NEW_SYN_RECV: 12,
  TCP_BOUND_INACTIVE: 13,
};

const PROTOCOLS: Record<string, number> = {
  IPPROTO_TCP: IPPROTO.TCP,
  IPPROTO_DCCP: IPPROTO.DCCP,
  IPPROTO_SCTP: IPPROTO.SCTP,
  IPPROTO_MPTCP: IPPROTO.MPTCP,
};

/** `key=value` pairs of an event's text (values have no spaces in the events we read). */
function pairs(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const word of text.split(' ')) {
    const eq = word.indexOf('=');
    if (eq > 0) m.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return m;
}

/** A symbolic value or a number (decimal or 0x hex, as __print_symbolic prints unknown values). */
function code(v: string | undefined, names: Record<string, number>): number | undefined {
  if (v === undefined) return undefined;
  const named = names[v];
  if (named !== undefined) return named;
  const n = v.startsWith('0x') ? Number.parseInt(v.slice(2), 16) : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** `[::ffff:1.2.3.4]:80` or `1.2.3.4:80` (tcp_send_reset's %pISpc) to address and port. */
function sockaddr(v: string | undefined): { address: string; port: number; six: boolean } | undefined {
  if (v === undefined) return undefined;
  const m = /^\[(.*)\]:(\d+)$/.exec(v) ?? /^([\d.]+):(\d+)$/.exec(v);
  if (!m) return undefined;
  const address = m[1]!.startsWith('::ffff:') && m[1]!.includes('.') ? m[1]!.slice(7) : m[1]!;
  return { address, port: Number(m[2]), six: v.startsWith('[') && !address.includes('.') };
}

/**
 * One text line to an event. `clockOffsetMs` maps the line's trace-clock seconds to wall time.
 * Returns undefined for a line that is not one of our events or lacks a field it needs.
 */
export function parseTraceLine(line: string, clockOffsetMs = 0): TraceEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const frac = m[5]!;
  const ns = Number(m[4]) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
  const b = { ns, timeMs: ns / 1e6 + clockOffsetMs, cpu: Number(m[3]), pid: Number(m[2]), comm: m[1]! };
  if (m[8] !== undefined) {
    // A syscall exit prints `sys_connect -> 0xffffffffffffff8d` (the return as 64-bit hex).
    if (m[8] !== 'connect') return undefined;
    return { event: 'sys_exit_connect', ...b, ret: Number(BigInt.asIntN(64, BigInt(m[9]!))) };
  }
  const f = pairs(m[7]!);
  const name = m[6]!;
  if (name === 'tcp_send_reset' && f.has('src')) {
    const event = 'tcp_send_reset' as const;
    const s = sockaddr(f.get('src'));
    const d = sockaddr(f.get('dest'));
    if (!s || !d) return undefined;
    const state = code(f.get('state'), STATE_CODES);
    const e = {
      event,
      ...b,
      family: s.six ? (6 as const) : (4 as const),
      saddr: s.address,
      daddr: d.address,
      sport: s.port,
      dport: d.port,
      skaddr: f.get('skaddr') ?? '',
    };
    return state === undefined ? e : { ...e, state };
  }
  const family = f.get('family') === 'AF_INET6' ? 6 : f.get('family') === 'AF_INET' ? 4 : undefined;
  const sport = int(f.get('sport'));
  const dport = int(f.get('dport'));
  if (family === undefined || sport === undefined || dport === undefined) return undefined;
  const six = family === 6;
  const saddr = six ? f.get('saddrv6') : f.get('saddr');
  const daddr = six ? f.get('daddrv6') : f.get('daddr');
  if (saddr === undefined || daddr === undefined) return undefined;
  const ep = { family: family as 4 | 6, saddr: unmap(saddr), daddr: unmap(daddr), sport, dport };
  switch (name) {
    case 'inet_sock_set_state': {
      const protocol = code(f.get('protocol'), PROTOCOLS);
      const oldstate = code(f.get('oldstate'), STATE_CODES);
      const newstate = code(f.get('newstate'), STATE_CODES);
      if (protocol === undefined || oldstate === undefined || newstate === undefined) return undefined;
      return { event: name, ...b, ...ep, skaddr: f.get('skaddr') ?? '', protocol, oldstate, newstate };
    }
    case 'inet_sk_error_report': {
      const protocol = code(f.get('protocol'), PROTOCOLS);
      const error = int(f.get('error'));
      if (protocol === undefined || error === undefined) return undefined;
      return { event: name, ...b, ...ep, protocol, error: Math.abs(error) };
    }
    case 'tcp_retransmit_skb':
    case 'tcp_retransmit_synack': {
      const e = { event: name as RetransmitEvent['event'], ...b, ...ep, skaddr: f.get('skaddr') ?? '' };
      const state = code(f.get('state'), STATE_CODES);
      return state === undefined ? e : { ...e, state };
    }
    case 'tcp_receive_reset':
    case 'tcp_send_reset': {
      const e = { event: name as ResetEvent['event'], ...b, ...ep, skaddr: f.get('skaddr') ?? '' };
      const state = code(f.get('state'), STATE_CODES);
      return state === undefined ? e : { ...e, state };
    }
    default:
      return undefined;
  }
}

/** The contract writes an IPv4-mapped IPv6 address as its dotted quad. */
function unmap(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** The text pipe's note of events lost on a CPU: `CPU:1 [LOST 17 EVENTS]`. */
export function lostInLine(line: string): number | undefined {
  const m = /^CPU:\d+ \[LOST (\d+) EVENTS\]\s*$/.exec(line.trim());
  return m ? Number(m[1]) : undefined;
}

/** Lines to events, with the lines that were not events of ours and the events the kernel said it lost. */
export function parseTraceText(
  text: string,
  clockOffsetMs = 0,
): { events: TraceEvent[]; unparsed: number; lost: number } {
  const events: TraceEvent[] = [];
  let unparsed = 0;
  let lost = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const e = parseTraceLine(line, clockOffsetMs);
    if (e) {
      events.push(e);
      continue;
    }
    const l = lostInLine(line);
    if (l !== undefined) lost += l;
    else unparsed++;
  }
  return { events, unparsed, lost };
}
