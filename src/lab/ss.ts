/**
 * A parser of `ss -tanH` / `ss -tanpH` output (iproute2), so the lab and the tests can hold what
 * tcpscope reports against the reference tool. Pure. Sockets come out in the JSON contract's shape
 * (Linux state names, bare addresses, IPv4-mapped as dotted quads, `*` ports as 0).
 * @see iproute2 misc/ss.c (sstate_name, inet_addr_print, proc_ctx_print)
 */
import { formatIpv6, parseIp } from '../net/ip.js';
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';

/** ss's own names for the states (misc/ss.c sstate_name). */
const SS_STATES: Record<string, TcpState> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  UNCONN: 'CLOSE',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/** One process holding the socket, from `users:(("cmd",pid=N,fd=M),...)`. */
export interface SsOwner {
  command: string;
  pid: number;
  fd: number;
}

/** One row of `ss -tan[p]H`. */
export interface SsSocket {
  state: TcpState;
  family: 4 | 6;
  mapped?: true;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  /** Present only when the output had the process column (`-p`); `[]` for none. */
  owners?: SsOwner[];
}

const USER_RE = /\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/g;

/**
 * Parses `ss -tanH` or `ss -tanpH` text; `withOwners` says `-p` was given (rows without a process
 * column then get `owners: []`). A line that does not parse throws, naming it: ss's format is the
 * reference here, a surprise must not pass quietly.
 */
export function parseSs(text: string, withOwners: boolean): SsSocket[] {
  const out: SsSocket[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    out.push(parseLine(line, withOwners));
  }
  return out;
}

function parseLine(line: string, withOwners: boolean): SsSocket {
  const f = line.trim().split(/\s+/);
  const state = SS_STATES[f[0] ?? ''];
  if (!state || f.length < 5) throw new TypeError(`ss: cannot read line: ${line}`);
  const local = parseEndpoint(f[3]!, line);
  const remote = parseEndpoint(f[4]!, line);
  const s: SsSocket = {
    state,
    family: local.family,
    local: local.endpoint,
    remote: remote.endpoint,
    recvQ: Number(f[1]),
    sendQ: Number(f[2]),
  };
  if (local.mapped) s.mapped = true;
  if (withOwners) {
    const rest = f.slice(5).join(' ');
    s.owners = [...rest.matchAll(USER_RE)].map((m) => ({
      command: m[1]!,
      pid: Number(m[2]),
      fd: Number(m[3]),
    }));
  }
  return s;
}

/** `127.0.0.1:80`, `[::1]:80`, `0.0.0.0:*`, `[::]:*`, `*:80` (dual-stack ::), `[::ffff:1.2.3.4]:80`, `%dev` zones. */
function parseEndpoint(text: string, line: string): { endpoint: Endpoint; family: 4 | 6; mapped: boolean } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new TypeError(`ss: cannot read address ${text} in: ${line}`);
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  const port = portText === '*' ? 0 : Number(portText);
  if (!Number.isInteger(port)) throw new TypeError(`ss: cannot read port ${text} in: ${line}`);
  if (host === '*') return { endpoint: { address: '::', port }, family: 6, mapped: false };
  const bracketed = host.startsWith('[');
  if (bracketed) host = host.slice(1, -1);
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  const bytes = parseIp(host);
  if (!bytes) throw new TypeError(`ss: cannot read address ${text} in: ${line}`);
  if (!host.includes(':')) return { endpoint: { address: host, port }, family: 4, mapped: false };
  const address = formatIpv6(bytes);
  return { endpoint: { address, port }, family: 6, mapped: !address.includes(':') };
}
