/**
 * Socket filters as predicates, built from what users type on the command line. Pure.
 */
import type { AddressMatcher } from '../net/ip.js';
import type { Socket } from '../tcp/socket.js';
import { maskHas, type StateMask } from '../tcp/state-names.js';

export interface FilterSpec {
  states?: StateMask;
  /** Local or remote port. */
  ports?: readonly number[];
  sports?: readonly number[];
  dports?: readonly number[];
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
  if (ports) tests.push((s) => ports.includes(s.local.port) || ports.includes(s.remote.port));
  if (sports) tests.push((s) => sports.includes(s.local.port));
  if (dports) tests.push((s) => dports.includes(s.remote.port));
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
