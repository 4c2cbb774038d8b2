/** Reads /proc/PID/cgroup: the container or systemd unit of a process (undefined when unreadable). */
import { readFileSync } from 'node:fs';
import { type CgroupLabel, cgroupLabel } from './parse-cgroup.js';

/** The label of a process, or `{}` when it has none or vanished. */
export function processCgroup(procRoot: string, pid: number): CgroupLabel {
  try {
    return cgroupLabel(readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8'));
  } catch {
    return {};
  }
}
