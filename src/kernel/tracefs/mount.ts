/**
 * Where tracefs is, mounting it when it is not: /sys/kernel/tracing (Linux 4.1+), or the older
 * /sys/kernel/debug/tracing under debugfs. Errors say what would give access.
 */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { EnvironmentError, PermissionError } from '../../errors.js';

const run = promisify(execFile);
const DEFAULT_MOUNT = '/sys/kernel/tracing';

/** Mount points of tracefs listed in a /proc/mounts text, the usual one first. Pure. */
export function tracefsMounts(mounts: string): string[] {
  const out: string[] = [];
  for (const line of mounts.split('\n')) {
    const [, dir, type] = line.split(' ');
    if (type === 'tracefs' && dir !== undefined) out.push(dir.replace(/\\040/g, ' '));
    if (type === 'debugfs' && dir !== undefined) out.push(`${dir}/tracing`);
  }
  return out.sort((a, b) => Number(b === DEFAULT_MOUNT) - Number(a === DEFAULT_MOUNT));
}

const isRoot = (): boolean => process.geteuid?.() === 0;

/**
 * The tracefs root: `root` when given (a fixture tree, or TCPSCOPE_TRACEFS), a mounted one, or
 * /sys/kernel/tracing after mounting it (root only).
 */
export async function findTracefs(root?: string): Promise<string> {
  if (root !== undefined) return root;
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  let denied: string | undefined;
  for (const dir of tracefsMounts(mounts)) {
    const err = await access(`${dir}/instances`).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e.code ?? 'EIO',
    );
    if (err === undefined) return dir;
    if (err === 'EACCES' || err === 'EPERM') denied ??= dir;
  }
  if (denied !== undefined)
    throw new PermissionError(
      `tracefs at ${denied}: permission denied (run as root: tracing needs CAP_SYS_ADMIN or CAP_PERFMON); or use tcpscope trace --sampled`,
    );
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\btracefs\b/.test(filesystems))
    throw new EnvironmentError(
      'tracefs: this kernel has no tracefs (CONFIG_TRACING); use the sampled mode: tcpscope trace --sampled',
    );
  if (!isRoot())
    throw new PermissionError(
      `tracefs: not mounted, and mounting it needs root (sudo mount -t tracefs nodev ${DEFAULT_MOUNT}); or use tcpscope trace --sampled`,
    );
  try {
    await run('mount', ['-t', 'tracefs', 'nodev', DEFAULT_MOUNT]);
  } catch (e) {
    throw new EnvironmentError(
      `tracefs: mount on ${DEFAULT_MOUNT} failed (${(e as Error).message.split('\n')[0]}); or use tcpscope trace --sampled`,
      { cause: e },
    );
  }
  return DEFAULT_MOUNT;
}
