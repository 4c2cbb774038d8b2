/**
 * Evidence helpers shared by the rules: the top local ports, services, processes and peers of a set
 * of sockets, the sysctls as numbers, counters over the window, and `finding()`, which builds a
 * finding complete with its explanation. Pure.
 */
import { ownersHidden, type Socket } from '../tcp/socket.js';
import type { TcpInfo, TcpInfoField } from '../tcp/tcp-info.js';
import type { DoctorInput, Evidence, Explainer, Finding, ProcessCount, Severity } from './types.js';
import { pidOf } from './window.js';

/** An endpoint as people read it (`127.0.0.1:80`, `[::1]:80`): the one formatter of the program. */
export { endpointOf as endpoint } from '../net/endpoint.js';

/** How many of each to list. */
export const TOP = 5;

/**
 * What a finding rests on, said in its evidence (`basis`): a socket that stayed for the whole
 * window, a retransmit or probe timer that fired, a queue above its limit or growing, a counter that
 * rose, an error the kernel reported, or a level against a kernel limit.
 */
export type Basis = 'stayed' | 'retransmitting' | 'queue' | 'counter' | 'kernel-error' | 'limit' | 'idle';

/** Local ports by count. */
export function topPorts(sockets: readonly Socket[], n = TOP): { port: number; count: number }[] {
  return top(sockets, (s) => s.local.port, n).map(([port, count]) => ({ port, count }));
}

/** Remote addresses by count. */
export function topPeers(sockets: readonly Socket[], n = TOP): { address: string; count: number }[] {
  return top(sockets, (s) => s.remote.address, n).map(([address, count]) => ({ address, count }));
}

/**
 * The services a set of outgoing connections goes to: remote address and port by count (the local
 * ports of a connect() are ephemeral and say nothing).
 */
export function topServices(
  sockets: readonly Socket[],
  n = TOP,
): { address: string; port: number; count: number }[] {
  const counts = new Map<string, { address: string; port: number; count: number }>();
  for (const s of sockets) {
    const k = `${s.remote.address} ${s.remote.port}`;
    const c = counts.get(k);
    if (c) c.count++;
    else counts.set(k, { address: s.remote.address, port: s.remote.port, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).slice(0, n);
}

/**
 * The ports a finding names: the local ports of server-side sockets, or for client-side ones (a local
 * port in the ephemeral range, towards a port outside it, nothing listening on it) the remote ports:
 * the service, not hundreds of ephemeral ports.
 */
export function portsOf(
  input: DoctorInput,
  sockets: readonly Socket[],
  n = TOP,
): { port: number; count: number }[] {
  const { low, high } = portRange(input);
  const listening = listeningPorts(input);
  const ephemeral = (p: number) => p >= low && p <= high;
  const client = sockets.filter(
    (s) => ephemeral(s.local.port) && !ephemeral(s.remote.port) && !listening.has(s.local.port),
  ).length;
  return client > sockets.length / 2 ? topRemotePorts(sockets, n) : topPorts(sockets, n);
}

/** Remote ports by count, as `ports` of a client-side finding. */
export function topRemotePorts(sockets: readonly Socket[], n = TOP): { port: number; count: number }[] {
  return top(sockets, (s) => s.remote.port, n).map(([port, count]) => ({ port, count }));
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

function top<K>(sockets: readonly Socket[], key: (s: Socket) => K, n: number): [K, number][] {
  const counts = new Map<K, number>();
  for (const s of sockets) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** Sockets grouped by the pid that holds them (or that their attribution names; 0 when unknown). */
export function byPid(sockets: readonly Socket[]): Map<number, Socket[]> {
  const m = new Map<number, Socket[]>();
  for (const s of sockets) {
    const pid = pidOf(s);
    const l = m.get(pid);
    if (l) l.push(s);
    else m.set(pid, [s]);
  }
  return m;
}

/** A sysctl as one number (the first of a list), or undefined. */
export function sysctlNumber(input: DoctorInput, name: string): number | undefined {
  const v = input.sysctls[name];
  const n = Array.isArray(v) ? v[0] : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** The ephemeral port range (`ip_local_port_range`), Linux's default 32768-60999 when unknown. */
export function portRange(input: DoctorInput): { low: number; high: number; size: number } {
  const v = input.sysctls['net.ipv4.ip_local_port_range'];
  const [low, high] = Array.isArray(v) && v.length === 2 ? [v[0]!, v[1]!] : [32768, 60999];
  return { low, high, size: high - low + 1 };
}

/** Sockets in one of the states. */
export function inStates(input: DoctorInput, ...states: Socket['state'][]): Socket[] {
  return input.snapshot.sockets.filter((s) => states.includes(s.state));
}

/**
 * Who holds a set of sockets, in words: `nginx[812]`; a process we could not inspect (an inode but
 * no owner seen, without root); or nobody (inode 0: orphans, timewait, unaccepted children).
 */
export function holderText(
  input: DoctorInput,
  p: ProcessCount | undefined,
  sockets: readonly Socket[],
): string {
  if (p) return `${p.command}[${p.pid}]`;
  const hidden = sockets.some((s) => s.inode !== 0) && ownersHidden(input.snapshot.unseen);
  if (input.lang === 'zh') return hidden ? '无法查看的进程' : '无进程';
  return hidden ? 'a process we could not inspect' : 'no process';
}

/** `nginx[812]`, or `?` when unknown. */
export function procText(p: ProcessCount | undefined): string {
  return p ? `${p.command}[${p.pid}]` : '?';
}

/** A rate over the window (per second), 0 without a window. */
export function rate(input: DoctorInput, counter: string): number {
  return input.interval?.rates[counter] ?? 0;
}

/** A counter's increase over the window, 0 without a window. */
export function increase(input: DoctorInput, counter: string): number {
  return input.interval?.delta[counter] ?? 0;
}

/** The listening ports, as a set. */
export function listeningPorts(input: DoctorInput): Set<number> {
  return new Set(input.snapshot.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port));
}

/** One tcp_info field, when the source gave tcp_info (netlink). */
export function infoField(s: Socket, field: TcpInfoField): number | undefined {
  const info: TcpInfo | undefined = s.info;
  return info?.[field];
}

/** A number as people read it: `1,756`, `2.4`, `0.31`. */
export function num(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 || Number.isInteger(n) ? 0 : abs >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** What every rule gives a finding besides the explanation (the `finding` of docs/json.md). */
export interface FindingParts {
  rule: string;
  severity: Severity;
  title: string;
  states: Finding['states'];
  evidence: Evidence & { basis: Basis[] };
  commands: string[];
}

/** A finding complete with why, remedies and next commands (the rule's own commands first). */
export function finding(input: DoctorInput, explain: Explainer, parts: FindingParts): Finding {
  const e = explain(parts.rule, input.lang);
  return {
    rule: parts.rule,
    severity: parts.severity,
    title: parts.title,
    states: parts.states,
    evidence: parts.evidence,
    why: e.why,
    remedies: e.remedies,
    commands: [...parts.commands, ...e.commands.filter((c) => !parts.commands.includes(c))],
  };
}
