/**
 * Evidence helpers shared by the rules: the top local ports, processes and peers of a set of
 * sockets, and the sysctls as numbers. Pure.
 */
import type { Socket } from '../tcp/socket.js';
import type { DoctorInput, Evidence, ProcessCount } from './types.js';

/** How many of each to list. */
export const TOP = 5;

/** Local ports by count. */
export function topPorts(sockets: readonly Socket[], n = TOP): { port: number; count: number }[] {
  return top(sockets, (s) => s.local.port, n).map(([port, count]) => ({ port, count }));
}

/** Remote ports by count (for outgoing connections, whose local ports are ephemeral). */
export function topRemotePorts(sockets: readonly Socket[], n = TOP): { port: number; count: number }[] {
  return top(sockets, (s) => s.remote.port, n).map(([port, count]) => ({ port, count }));
}

/** Remote addresses by count. */
export function topPeers(sockets: readonly Socket[], n = TOP): { address: string; count: number }[] {
  return top(sockets, (s) => s.remote.address, n).map(([address, count]) => ({ address, count }));
}

/**
 * Processes by count: the holder of each socket, or for sockets nobody holds, the process the
 * attribution names (the owner of the listener a request or an unaccepted child waits on).
 */
export function topProcesses(sockets: readonly Socket[], n = TOP): ProcessCount[] {
  const byPid = new Map<number, ProcessCount>();
  for (const s of sockets) {
    const o =
      s.owners?.[0] ??
      (s.attribution?.pid !== undefined
        ? { pid: s.attribution.pid, command: s.attribution.command ?? '?' }
        : undefined);
    if (!o) continue;
    const p = byPid.get(o.pid);
    if (p) p.count++;
    else byPid.set(o.pid, { pid: o.pid, command: o.command, count: 1 });
  }
  return [...byPid.values()].sort((a, b) => b.count - a.count || a.pid - b.pid).slice(0, n);
}

/** count, ports, processes and peers of a set of sockets. */
export function evidenceOf(sockets: readonly Socket[]): Evidence {
  return {
    count: sockets.length,
    ports: topPorts(sockets),
    processes: topProcesses(sockets),
    peers: topPeers(sockets),
  };
}

function top<K>(sockets: readonly Socket[], key: (s: Socket) => K, n: number): [K, number][] {
  const counts = new Map<K, number>();
  for (const s of sockets) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** A sysctl as one number (the first of a list), or undefined. */
export function sysctlNumber(input: DoctorInput, name: string): number | undefined {
  const v = input.sysctls[name];
  const n = Array.isArray(v) ? v[0] : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Size of the ephemeral port range (`ip_local_port_range`), 28232 (Linux's default) when unknown. */
export function ephemeralPorts(input: DoctorInput): number {
  const v = input.sysctls['net.ipv4.ip_local_port_range'];
  return Array.isArray(v) && v.length === 2 ? v[1]! - v[0]! + 1 : 28232;
}

/** Sockets in one of the states. */
export function inStates(input: DoctorInput, ...states: Socket['state'][]): Socket[] {
  return input.snapshot.sockets.filter((s) => states.includes(s.state));
}

/** `nginx[812]`, or `?` when unknown. */
export function procText(p: ProcessCount | undefined): string {
  return p ? `${p.command}[${p.pid}]` : '?';
}

/** A rate over the window (per second), 0 without a window. */
export function rate(input: DoctorInput, counter: string): number {
  return input.interval?.rates[counter] ?? 0;
}

/** The listening ports, as a set. */
export function listeningPorts(input: DoctorInput): Set<number> {
  return new Set(input.snapshot.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port));
}

/** A socket's tcp_info fields (kernel names, kernel units), when the source gave them (netlink). */
export function infoOf(s: Socket): Record<string, number> | undefined {
  return s.info as unknown as Record<string, number> | undefined;
}
