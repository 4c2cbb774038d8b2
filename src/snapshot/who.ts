/**
 * The `lsof -i:PORT` answer: the processes holding sockets with that port at either end, and the
 * sockets nobody holds. Pure.
 */
import { formatIpv6, parseIp } from '../net/ip.js';
import type { Socket } from '../tcp/socket.js';

export interface WhoTarget {
  address?: string;
  port: number;
}

export interface WhoProcess {
  pid: number;
  command: string;
  user: string;
  sockets: Socket[];
}

export interface WhoResult {
  address?: string;
  port: number;
  processes: WhoProcess[];
  unowned: Socket[];
}

/** `8080`, `:8080`, `10.0.0.1:8080`, `[::1]:8080`; undefined when it is none of these. */
export function parseWhoTarget(text: string): WhoTarget | undefined {
  const t = text.trim();
  let addr: string | undefined;
  let portText: string;
  if (/^:?\d+$/.test(t)) portText = t.replace(':', '');
  else {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^(.+):(\d+)$/.exec(t);
    if (!m) return undefined;
    addr = m[1]!;
    portText = m[2]!;
  }
  const port = Number(portText);
  if (portText.length > 5 || port > 65535) return undefined;
  if (addr === undefined) return { port };
  const bytes = parseIp(addr);
  return bytes ? { address: formatIpv6(bytes), port } : undefined;
}

/** Whether a socket has the target's port (and address, when given) at one of its ends. */
export function matchesTarget(s: Socket, t: WhoTarget): boolean {
  const atLocal = s.local.port === t.port && (t.address === undefined || s.local.address === t.address);
  const atRemote = s.remote.port === t.port && (t.address === undefined || s.remote.address === t.address);
  return atLocal || atRemote;
}

/** Groups the matching sockets by the processes holding them, in pid order. */
export function whoHolds(sockets: readonly Socket[], t: WhoTarget): WhoResult {
  const byPid = new Map<number, WhoProcess>();
  const unowned: Socket[] = [];
  for (const s of sockets) {
    if (!matchesTarget(s, t)) continue;
    if (!s.owners || s.owners.length === 0) {
      unowned.push(s);
      continue;
    }
    const seen = new Set<number>();
    for (const o of s.owners) {
      if (seen.has(o.pid)) continue;
      seen.add(o.pid);
      let p = byPid.get(o.pid);
      if (!p) {
        p = { pid: o.pid, command: o.command, user: o.user, sockets: [] };
        byPid.set(o.pid, p);
      }
      p.sockets.push(s);
    }
  }
  const result: WhoResult = {
    port: t.port,
    processes: [...byPid.values()].sort((a, b) => a.pid - b.pid),
    unowned,
  };
  if (t.address !== undefined) result.address = t.address;
  return result;
}
