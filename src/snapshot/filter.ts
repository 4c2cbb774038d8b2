/**
 * Socket filters as predicates, built from what users type on the command line. Pure.
 */
import type { AddressMatcher } from '../net/ip.js';
import type { Socket } from '../tcp/socket.js';
import { maskHas, type StateMask } from '../tcp/state-names.js';

/** A port, or an inclusive range `[low, high]`. */
export type PortMatch = number | readonly [number, number];

export interface FilterSpec {
  states?: StateMask;
  /** Local or remote port. */
  ports?: readonly PortMatch[];
  sports?: readonly PortMatch[];
  dports?: readonly PortMatch[];
  /** Local address or prefix. */
  src?: AddressMatcher;
  /** Remote address or prefix. */
  dst?: AddressMatcher;
  family?: 4 | 6;
  /** Held by one of these processes, or queued on (attributed to) one of their listeners. */
  pids?: readonly number[];
  /** The owner's command name starts with this (like `lsof -c`). */
  process?: string;
}

/** Whether a filter needs owners looked up. */
export function filterNeedsOwners(spec: FilterSpec): boolean {
  return spec.pids !== undefined || spec.process !== undefined;
}

/** The spec as one predicate; an empty spec keeps everything. */
export function buildFilter(spec: FilterSpec): (s: Socket) => boolean {
  const tests: ((s: Socket) => boolean)[] = [];
  const { states, ports, sports, dports, src, dst, family, pids, process } = spec;
  if (states !== undefined) tests.push((s) => maskHas(states, s.state));
  if (family !== undefined) tests.push((s) => s.family === family);
  if (ports) tests.push((s) => portIn(ports, s.local.port) || portIn(ports, s.remote.port));
  if (sports) tests.push((s) => portIn(sports, s.local.port));
  if (dports) tests.push((s) => portIn(dports, s.remote.port));
  if (src) tests.push((s) => src(s.local.address));
  if (dst) tests.push((s) => dst(s.remote.address));
  if (pids) {
    tests.push(
      (s) =>
        (s.owners?.some((o) => pids.includes(o.pid)) ?? false) ||
        (s.attribution?.pid !== undefined && pids.includes(s.attribution.pid)),
    );
  }
  if (process !== undefined) {
    tests.push(
      (s) =>
        (s.owners?.some((o) => o.command.startsWith(process)) ?? false) ||
        (s.attribution?.command?.startsWith(process) ?? false),
    );
  }
  if (tests.length === 0) return () => true;
  return (s) => tests.every((t) => t(s));
}

/** Whether a port is one of the list's ports or within one of its ranges. */
export function portIn(list: readonly PortMatch[], port: number): boolean {
  for (const m of list) {
    if (typeof m === 'number' ? m === port : port >= m[0] && port <= m[1]) return true;
  }
  return false;
}
