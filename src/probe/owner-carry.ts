/**
 * Pure. Owners looked up every few readings and carried by inode between: the /proc scan costs more
 * than the dump, and a socket keeps its inode, so a reading without owners borrows those the last
 * scan found (none for a socket born since). Used by every reader that samples again and again.
 */
import type { Owner, Socket } from '../tcp/socket.js';

export interface OwnerCarry {
  /** Whether the next reading should look owners up (every `every` readings, the first included). */
  due(): boolean;
  /** Makes the next reading look owners up (and counts `every` from there). */
  soon(): void;
  /** Keeps the owners of a reading that looked them up, or gives the kept ones to one that did not. */
  apply(sockets: readonly Socket[], lookedUp: boolean): void;
  /** The owners the last lookup found for an inode (for a reading that makes no socket records). */
  ownersOf(inode: number): readonly Owner[] | undefined;
}

export function ownerCarry(every: number): OwnerCarry {
  const period = Math.max(1, Math.floor(every));
  let n = 0;
  let owners = new Map<number, Owner[]>();
  return {
    due: () => n++ % period === 0,
    soon: () => {
      n = 0;
    },
    apply(sockets, lookedUp) {
      if (lookedUp) {
        owners = new Map();
        for (const s of sockets) if (s.inode !== 0 && s.owners?.length) owners.set(s.inode, s.owners);
        return;
      }
      for (const s of sockets) s.owners = (s.inode !== 0 ? owners.get(s.inode) : undefined) ?? [];
    },
    ownersOf: (inode) => owners.get(inode),
  };
}
