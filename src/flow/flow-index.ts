/**
 * The open flows by 4-tuple, found without a string per segment: a number mixed from both addresses'
 * texts and the port pair picks a chain in a table, and a flow is confirmed by its own endpoints.
 * An address's number is a hash of its text, kept in a small direct-mapped cache (the texts a capture reader
 * hands out are the same strings packet after packet, and a string keeps its own hash). And the
 * open flows in the order they opened (`OpenFlows`). Pure.
 */

/** What the index needs of a flow: its endpoints in canonical order, and a link for its chain. */
export interface Indexed<F> {
  readonly lo: string;
  readonly hi: string;
  /** Both ports in one number: the smaller endpoint's port × 65536 + the other's. */
  readonly ports: number;
  /** The next flow whose key mixes to the same number. */
  nextSame: F | undefined;
}

/** Addresses remembered at once, by a number of this many bits. */
const ADDRESS_BITS = 12;
const ADDRESS_SLOTS = 1 << ADDRESS_BITS;

export class FlowIndex<F extends Indexed<F>> {
  /**
   * Chains by key, in a table of a power of two that doubles as flows come and never rehashes as
   * they go: a Map of a million flows made itself anew every few hundred thousand changes.
   */
  private buckets: (F | undefined)[] = emptyTable(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  /** Addresses' numbers, direct-mapped by the text's length and last characters (a SYN flood's are all new). */
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(ADDRESS_SLOTS).fill(
    undefined,
  );
  private readonly numbers = new Int32Array(ADDRESS_SLOTS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The flow of these endpoints, if open. */
  get(lo: string, hi: string, ports: number): F | undefined {
    let f = this.buckets[this.key(lo, hi, ports) & this.mask];
    while (f !== undefined && (f.ports !== ports || f.lo !== lo || f.hi !== hi)) f = f.nextSame;
    return f;
  }

  /** Adds a flow whose endpoints are not in the index. */
  add(f: F): void {
    if (this.count >= this.buckets.length) this.grow();
    const b = this.key(f.lo, f.hi, f.ports) & this.mask;
    f.nextSame = this.buckets[b];
    this.buckets[b] = f;
    this.count++;
  }

  /** Removes a flow that is in the index. */
  delete(f: F): void {
    const b = this.key(f.lo, f.hi, f.ports) & this.mask;
    let head = this.buckets[b];
    if (head === f) this.buckets[b] = f.nextSame;
    else {
      while (head !== undefined && head.nextSame !== f) head = head.nextSame;
      if (head === undefined) return;
      head.nextSame = f.nextSame;
    }
    f.nextSame = undefined;
    this.count--;
  }

  clear(): void {
    this.buckets = emptyTable(MIN_BUCKETS);
    this.mask = MIN_BUCKETS - 1;
    this.count = 0;
  }

  private grow(): void {
    const old = this.buckets;
    this.buckets = emptyTable(old.length * 2);
    this.mask = old.length * 2 - 1;
    for (let i = 0; i < old.length; i++) {
      let f = old[i];
      while (f !== undefined) {
        const next = f.nextSame;
        const b = this.key(f.lo, f.hi, f.ports) & this.mask;
        f.nextSame = this.buckets[b];
        this.buckets[b] = f;
        f = next;
      }
    }
  }

  /** The number the endpoints mix to, within the range V8 keeps as a small integer. */
  private key(lo: string, hi: string, ports: number): number {
    const a = this.address(lo);
    const b = this.address(hi);
    let h = Math.imul(a ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1) ^ ports;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    return (h ^ (h >>> 12)) >> 2;
  }

  private address(text: string): number {
    const n = text.length;
    const slot =
      (Math.imul(
        text.charCodeAt(n - 1) ^ (text.charCodeAt(n - 2) << 8) ^ (text.charCodeAt(n - 3) << 16),
        0x9e3779b1,
      ) ^
        n) >>>
      (32 - ADDRESS_BITS);
    // The reader hands out one string per address: usually the very same one.
    if (this.texts[slot] === text) return this.numbers[slot]!;
    // FNV-1a of the text.
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    this.texts[slot] = text;
    this.numbers[slot] = h;
    return h;
  }
}

const MIN_BUCKETS = 1024;

function emptyTable<F>(n: number): (F | undefined)[] {
  return new Array<F | undefined>(n).fill(undefined);
}

/** What the list of open flows needs of a flow: its links to the flows opened just before and after it. */
export interface Listed<F> {
  olderOpen: F | undefined;
  newerOpen: F | undefined;
}

/**
 * The open flows in the order they opened, linked through the flows themselves: a flow comes and goes
 * with two links set (a Set of a million flows hashed each one in and out).
 */
export class OpenFlows<F extends Listed<F>> {
  private head: F | undefined;
  private tail: F | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The flow open the longest. */
  get oldest(): F | undefined {
    return this.head;
  }

  /** Adds a flow that is not in the list, as the newest. */
  add(f: F): void {
    f.olderOpen = this.tail;
    f.newerOpen = undefined;
    if (this.tail) this.tail.newerOpen = f;
    else this.head = f;
    this.tail = f;
    this.count++;
  }

  /** Removes a flow that is in the list. */
  delete(f: F): void {
    const older = f.olderOpen;
    const newer = f.newerOpen;
    if (older) older.newerOpen = newer;
    else this.head = newer;
    if (newer) newer.olderOpen = older;
    else this.tail = older;
    f.olderOpen = undefined;
    f.newerOpen = undefined;
    this.count--;
  }

  /** The flows, oldest first. */
  toArray(): F[] {
    const out: F[] = [];
    for (let f = this.head; f !== undefined; f = f.newerOpen) out.push(f);
    return out;
  }

  /** Removes every flow. */
  clear(): void {
    for (const f of this.toArray()) {
      f.olderOpen = undefined;
      f.newerOpen = undefined;
    }
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }
}
