/**
 * What /proc hides from this process: mounted with `hidepid` (1 or `noaccess`, 2 or `invisible`),
 * a user sees only their own processes, unless root or in the mount's `gid=` group; their sockets
 * then have no owner to find, and nothing else says why. Read from /proc/self/mountinfo and
 * /proc/self/status; the parsers are pure.
 * @see https://docs.kernel.org/filesystems/proc.html (mount options: hidepid, gid)
 */
import { readFileSync } from 'node:fs';

export interface ProcHiding {
  /** The mount's `hidepid=` value as written (`2`, `invisible`, `1`, `noaccess`). */
  readonly hidepid: string;
  /** The mount's `gid=`, whose members see every process. */
  readonly gid?: number;
}

/** The `proc` mount at `mountPoint` with a hiding `hidepid`, from mountinfo text (the last mount there wins). */
export function parseProcMount(mountinfo: string, mountPoint: string): ProcHiding | undefined {
  let found: ProcHiding | undefined;
  let seen = false;
  for (const line of mountinfo.split('\n')) {
    // ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f[4] !== mountPoint) continue;
    seen = true;
    found = undefined;
    if (f[dash + 1] !== 'proc') continue;
    let hidepid: string | undefined;
    let gid: number | undefined;
    for (const opt of (f[dash + 3] ?? '').split(',')) {
      const [k, v] = opt.split('=');
      if (k === 'hidepid' && v !== undefined) hidepid = v;
      if (k === 'gid' && v !== undefined && /^\d+$/.test(v)) gid = Number(v);
    }
    if (hidepid === undefined || hidepid === '0' || hidepid === 'off' || hidepid === 'ptraceable') continue;
    found = gid === undefined ? { hidepid } : { hidepid, gid };
  }
  return seen ? found : undefined;
}

/** Whether credentials (/proc/self/status text) see past the hiding: root, or the mount's group. */
export function seesPast(status: string, hiding: ProcHiding): boolean {
  const field = (name: string): number[] => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
  };
  if (field('Uid')[1] === 0) return true;
  if (hiding.gid === undefined) return false;
  return field('Gid')[1] === hiding.gid || field('Groups').includes(hiding.gid);
}

/** What the /proc at `procRoot` hides from this process, or undefined when it hides nothing from it. */
export function procHiding(procRoot = '/proc'): ProcHiding | undefined {
  // Read once a process: owners are looked up again and again (watch, serve), mounts rarely change.
  if (known.has(procRoot)) return known.get(procRoot);
  let hiding: ProcHiding | undefined;
  try {
    const h = parseProcMount(readFileSync('/proc/self/mountinfo', 'utf8'), procRoot);
    hiding = h && !seesPast(readFileSync('/proc/self/status', 'utf8'), h) ? h : undefined;
  } catch {
    hiding = undefined;
  }
  known.set(procRoot, hiding);
  return hiding;
}

const known = new Map<string, ProcHiding | undefined>();
