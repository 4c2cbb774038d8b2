/**
 * The command the kernel shows for a process: /proc/PID/comm, its main thread's name. Node 24 names
 * its main thread "MainThread", so a node holder is `node` on Node 22 and `MainThread` on Node 24:
 * tests compare with this, never with a hard-coded `node`.
 */
import { readFileSync } from 'node:fs';

export function commOf(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
}

/** `commOf(pid)` escaped for a RegExp. */
export function commPattern(pid: number): string {
  return commOf(pid).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
