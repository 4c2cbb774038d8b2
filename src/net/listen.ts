/**
 * Where a server listens and who may read it: `--listen` parsed, loopback told apart (where no token
 * is needed), a Bearer token compared in constant time. The agent and `serve` share them.
 */
import { timingSafeEqual } from 'node:crypto';

/** Whether a host to listen on is loopback (where the servers need no token). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** HOST:PORT, [V6]:PORT or PORT (on 127.0.0.1); throws with one line on anything else. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--listen ${JSON.stringify(text)}: give HOST:PORT, [IPV6]:PORT or PORT (1-65535)`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** HOST:PORT as a URL writes it (`[::1]:9465`). */
export function listenUrlHost(l: { host: string; port: number }): string {
  return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}

/** Whether `given` is the token, compared in constant time; always true without a token. */
export function tokenMatches(given: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer TOKEN` header, if it is one. */
export function bearerOf(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}
