/**
 * How sockets read in human tables: endpoints like `ss` prints them, timers, owners. Pure.
 */
import { type EndpointOptions, formatEndpoint } from '../net/endpoint.js';
import type { Attribution, NetnsRef, Socket, SocketTimer, TimerKind } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';

/**
 * How ss writes a socket's `::`: `[::]` when it is v6-only, `*` when it is dual-stack. The kernel
 * makes every socket bound to a specific IPv6 address v6-only (inet6_bind), so only a wildcard
 * socket needs the source to say (netlink's INET_DIAG_SKV6ONLY; /proc/net/tcp6 cannot, and ss then
 * writes `*` too).
 */
export function endpointOptions(s: Pick<Socket, 'family' | 'local' | 'v6only'>): EndpointOptions {
  return { v6only: s.v6only === true || (s.family === 6 && s.local.address !== '::') };
}

/** The local end as ss writes it: `127.0.0.1:80`, `[::1]:80`, `*:80` (dual-stack `::`). */
export function localText(s: Socket): string {
  return endText(s, s.local.address, s.local.port);
}

/**
 * The peer as ss writes it: `10.0.0.2:5123`, `0.0.0.0:*`, `[::]:*`, `*:*` for a listener's; an
 * IPv4-mapped socket's ends as `[::ffff:10.0.0.2]:5123` (the JSON keeps the bare dotted quad).
 */
export function peerText(s: Socket): string {
  return endText(s, s.remote.address, s.remote.port);
}

function endText(s: Socket, address: string, port: number): string {
  const a = s.mapped && !address.includes(':') ? `::ffff:${address}` : address;
  return formatEndpoint(a, port, endpointOptions(s));
}

/**
 * A timer's time left as ss writes it, cut the way ss cuts it (never rounded): `008ms`, `3.304sec`,
 * `59sec`, `1min1sec`, `119min`, and nothing at all for 0.
 * @see https://github.com/iproute2/iproute2/blob/main/misc/ss.c print_ms_timer()
 */
export function durationText(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const minutes = Math.floor(t / 60_000);
  let secs = Math.floor(t / 1000) % 60;
  let msecs = t % 1000;
  let out = '';
  if (minutes) {
    msecs = 0;
    out = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    out += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) out += `${String(msecs).padStart(3, '0')}${secs ? 'sec' : 'ms'}`;
  return out;
}

/** The kernel's timer kinds as ss names them (tcp_timer_print): retransmit is `on`, probe `persist`. */
const SS_TIMER_NAMES: Readonly<Record<TimerKind, string>> = {
  off: 'off',
  retransmit: 'on',
  keepalive: 'keepalive',
  timewait: 'timewait',
  probe: 'persist',
};

/** `keepalive,119min,0` as inside ss's `timer:(...)`; empty when off. */
export function timerText(t: SocketTimer | undefined): string {
  if (!t || t.kind === 'off') return '';
  return `${SS_TIMER_NAMES[t.kind]},${durationText(t.expiresMs)},${t.retransmits}`;
}

/** Owners as `nginx[12]/6,nginx[13]/6`, or the attribution in words for sockets nobody holds. */
export function ownerText(s: Socket): string {
  if (s.owners && s.owners.length > 0) return s.owners.map((o) => `${o.command}[${o.pid}]/${o.fd}`).join(',');
  if (!s.attribution) return s.owners ? '-' : '';
  return attributionText(s.attribution);
}

/** What a socket nobody holds is: `(timewait)`, `(orphan)`, `(queued on listener nginx[12] :80)`. */
export function attributionText(a: Attribution): string {
  const who = a.pid !== undefined ? ` ${a.command ?? '?'}[${a.pid}]` : '';
  switch (a.kind) {
    case 'request':
      return `(request on listener${who} :${a.port})`;
    case 'queued':
      return `(queued on listener${who} :${a.port})`;
    default:
      return `(${a.kind})`;
  }
}

/** A state as ss's State column writes it: the kernel's names, but CLOSE as ss's `UNCONN`. */
export function stateText(state: TcpState): string {
  return state === 'CLOSE' ? 'UNCONN' : state;
}

/** The key a socket counts under by process: `command[pid]`, or its attribution in parentheses. */
export function processKey(s: Socket): string {
  const o = s.owners?.[0];
  if (o) return `${o.command}[${o.pid}]`;
  const a = s.attribution;
  if (!a) return '(none)';
  return a.pid !== undefined ? `(${a.kind}) ${a.command ?? '?'}[${a.pid}]` : `(${a.kind})`;
}

/** A namespace's name: its `ip netns` name, `host` for PID 1's, else its inode. */
export function netnsName(n: NetnsRef): string {
  return n.name ?? (n.host ? 'host' : String(n.inode));
}

/** A namespace as `blue`, `host`, `4026532211 docker:3f2a1b9c0d4e` or `4026531840 sshd.service`. */
export function netnsText(n: NetnsRef): string {
  const label = n.host ? undefined : (n.container ?? n.unit);
  return `${netnsName(n)}${label ? ` ${label}` : ''}`;
}
