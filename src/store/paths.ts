/**
 * Pure. Where the history lives by default: `/var/lib/tcpscope/history.db` for root (the systemd
 * unit's recorder, read by root's `report`), else `$XDG_DATA_HOME/tcpscope/history.db` when that is
 * an absolute path (the XDG base directory rule), else `~/.local/share/tcpscope/history.db`.
 */
import { isAbsolute, join } from 'node:path';

export function defaultHistoryPath(
  env: Readonly<Record<string, string | undefined>>,
  uid: number,
  home: string,
): string {
  if (uid === 0) return '/var/lib/tcpscope/history.db';
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'tcpscope', 'history.db');
}
