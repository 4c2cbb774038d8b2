/** Reads /proc/net/sockstat and sockstat6 of our namespace or of /proc/PID/net. */
import { parseSockstat, type Sockstat } from './parse-sockstat.js';
import { procNetDir, readProcFile } from './procfs.js';

/** Both files merged (TCP, UDP, ..., TCP6, UDP6, ...); a missing sockstat6 (no IPv6) adds nothing. */
export function readSockstat(procRoot: string, pid?: number): Sockstat {
  const dir = procNetDir(procRoot, pid);
  const out = parseSockstat(readProcFile(`${dir}/sockstat`).toString('latin1'));
  try {
    Object.assign(out, parseSockstat(readProcFile(`${dir}/sockstat6`).toString('latin1')));
  } catch {}
  return out;
}
