/**
 * The open flows by 4-tuple, found without a string per segment: a number mixed from both addresses'
 * texts and the port pair picks a chain in a table, and a flow is confirmed by its own endpoints; and
 * the open flows in order, as a list through the flows themselves.
 * An address's number is a hash of its text, kept in a bounded cache (the texts a capture reader
 * hands out are the same strings packet after packet, and a string keeps its own hash). Pure.
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

/** Addresses remembered at once before the cache starts again. */
const ADDRESS_CACHE = 65_536;

export class FlowIndex<F extends Indexed<F>> {
  /**
   * Chains by key, in a table of a power of two that doubles as flows come and never rehashes as
   * they go: a Map of a million flows made itself anew every few hundred thousand changes.
   */
  private buckets: (F | undefined)[] = emptyTable(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  private readonly addresses = new Map<string, number>();
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
    let h = this.addresses.get(text);
    if (h === undefined) {
      // FNV-1a of the text.
      h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      if (this.addresses.size >= ADDRESS_CACHE) this.addresses.clear();
      this.addresses.set(text, h);
    }
    return h;
  }
}

const MIN_BUCKETS = 1024;

function emptyTable<F>(n: number): (F | undefined)[] {
  return new Array<F | undefined>(n).fill(undefined);
}

/** What a list of flows needs of a flow: its neighbours. */
export interface Listed<F> {
  prev: F | undefined;
  next: F | undefined;
}

/**
 * Flows in the order they were added (the tracker's: of first packet), linked through the flows
 * themselves: adding and removing make nothing, where a Set of a million made itself anew every
 * few hundred thousand changes.
 */
export class FlowList<F extends Listed<F>> {
  private head: F | undefined = undefined;
  private tail: F | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The first flow added of those still here. */
  get first(): F | undefined {
    return this.head;
  }

  add(f: F): void {
    f.prev = this.tail;
    f.next = undefined;
    if (this.tail === undefined) this.head = f;
    else this.tail.next = f;
    this.tail = f;
    this.count++;
  }

  /** Removes a flow that is in the list. */
  delete(f: F): void {
    if (f.prev === undefined) this.head = f.next;
    else f.prev.next = f.next;
    if (f.next === undefined) this.tail = f.prev;
    else f.next.prev = f.prev;
    f.prev = undefined;
    f.next = undefined;
    this.count--;
  }

  clear(): void {
    for (let f = this.head; f !== undefined; ) {
      const next = f.next;
      f.prev = undefined;
      f.next = undefined;
      f = next;
    }
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<F> {
    for (let f = this.head; f !== undefined; ) {
      // The next one first: the caller may remove this one.
      const next = f.next;
      yield f;
      f = next;
    }
  }
}
