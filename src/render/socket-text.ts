/**
 * How sockets read in human tables: endpoints like `ss` prints them, timers, owners. Pure.
 */
import { type EndpointOptions, endpointOf } from '../net/endpoint.js';
import type { NetnsRef, Socket, SocketTimer } from '../tcp/socket.js';

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
  return endpointOf(s.local, endpointOptions(s));
}

/** The peer as ss writes it: `10.0.0.2:5123`, `0.0.0.0:*`, `[::]:*`, `*:*` for a listener's. */
export function peerText(s: Socket): string {
  return endpointOf(s.remote, endpointOptions(s));
}

/** A duration in ms the way ss prints timers: `350ms`, `12sec`, `1min40sec`, `119min`. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}sec`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 || m >= 10 ? `${m}min` : `${m}min${s % 60}sec`;
}

/** `keepalive,119min,0` as in ss's `timer:(...)`; empty when off. */
export function timerText(t: SocketTimer | undefined): string {
  if (!t || t.kind === 'off') return '';
  return `${t.kind},${durationText(t.expiresMs)},${t.retransmits}`;
}

/** Owners as `nginx[12]/6,nginx[13]/6`, or the attribution in words for sockets nobody holds. */
export function ownerText(s: Socket): string {
  if (s.owners && s.owners.length > 0) return s.owners.map((o) => `${o.command}[${o.pid}]/${o.fd}`).join(',');
  const a = s.attribution;
  if (!a) return s.owners ? '-' : '';
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

/** The key a socket counts under by process: `command[pid]`, or its attribution in parentheses. */
export function processKey(s: Socket): string {
  const o = s.owners?.[0];
  if (o) return `${o.command}[${o.pid}]`;
  const a = s.attribution;
  if (!a) return '(none)';
  return a.pid !== undefined ? `(${a.kind}) ${a.command ?? '?'}[${a.pid}]` : `(${a.kind})`;
}

/** A namespace as `blue`, `4026532211 docker:3f2a1b9c0d4e` or `4026531840 sshd.service`. */
export function netnsText(n: NetnsRef): string {
  const label = n.container ?? n.unit;
  return `${n.name ?? n.inode}${label ? ` ${label}` : ''}`;
}
