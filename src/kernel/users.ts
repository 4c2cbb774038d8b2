/**
 * User names for uids, from the passwd file (read once, on first use). No NSS: a uid not in the
 * file is shown as its number, as `ss` and `ps` do without a name.
 */
import { readFileSync } from 'node:fs';

/** Parses passwd text into uid → name; malformed lines are skipped. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || !/^\d+$/.test(f[2]!)) continue;
    const uid = Number(f[2]);
    if (!users.has(uid)) users.set(uid, f[0]!);
  }
  return users;
}

/** A uid → name function over `passwdPath` (`/etc/passwd` by default). */
export function userNames(passwdPath = '/etc/passwd'): (uid: number) => string {
  let users: Map<number, string> | undefined;
  return (uid) => {
    if (!users) {
      try {
        users = parsePasswd(readFileSync(passwdPath, 'utf8'));
      } catch {
        users = new Map();
      }
    }
    return users.get(uid) ?? String(uid);
  };
}
