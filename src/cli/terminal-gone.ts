/**
 * When the terminal goes away under a command (an SSH session dropped, a tmux window killed): its
 * standard streams are pointed at /dev/null. Writes then vanish instead of failing with EIO while the
 * command stops (SIGHUP), and Node does not abort on the way out: at exit it restores the terminal's
 * modes (tcsetattr) on each stream that is still the terminal it started with, and Node 20 aborts when
 * that fails (nodejs/node#51519, fixed in later lines). A stream moved elsewhere is left alone.
 */
import { closeSync, openSync } from 'node:fs';
import { loadKoffi } from '../kernel/ffi.js';

let dup2: ((from: number, to: number) => number) | undefined;
let done = false;

/** Loads what `detach` needs (libc's dup2 through koffi). */
export async function prepare(): Promise<void> {
  if (dup2) return;
  const koffi = await loadKoffi();
  dup2 = koffi.load('libc.so.6').func('int dup2(int oldfd, int newfd)') as (
    from: number,
    to: number,
  ) => number;
}

/** Points fds 0 to 2 at /dev/null, once (after `prepare`; before it, does nothing). */
export function detach(): void {
  if (!dup2 || done) return;
  done = true;
  const fd = openSync('/dev/null', 'r+');
  for (const std of [0, 1, 2]) dup2(fd, std);
  closeSync(fd);
}
