/**
 * What `/metrics` takes from the doctor's input, which the servers read anyway: the ephemeral port
 * range (for `tcpscope_ephemeral_ports`) and the listeners' executables (for `tcpscope_listener_info`).
 */
import type { DoctorInput } from '../doctor/types.js';
import type { MetricsSample } from './render.js';

export function metricsFromDoctor(
  input: Pick<DoctorInput, 'sysctls' | 'exes'> | undefined,
): Pick<MetricsSample, 'ephemeral' | 'exes'> {
  const exes = new Map<number, string>();
  for (const [pid, e] of input?.exes ?? []) exes.set(pid, e.deleted ? `${e.path} (deleted)` : e.path);
  const range = input?.sysctls['net.ipv4.ip_local_port_range'];
  return Array.isArray(range) && range.length === 2
    ? { ephemeral: [range[0]!, range[1]!] as const, exes }
    : { exes };
}
