/**
 * The open flows by 4-tuple, found without a string per segment: a number mixed from both addresses'
 * texts and the port pair keys a map of short chains, and a flow is confirmed by its own endpoints.
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
  private readonly chains = new Map<number, F>();
  private readonly addresses = new Map<string, number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The flow of these endpoints, if open. */
  get(lo: string, hi: string, ports: number): F | undefined {
    let f = this.chains.get(this.key(lo, hi, ports));
    while (f !== undefined && (f.ports !== ports || f.lo !== lo || f.hi !== hi)) f = f.nextSame;
    return f;
  }

  /** Adds a flow whose endpoints are not in the index. */
  add(f: F): void {
    const k = this.key(f.lo, f.hi, f.ports);
    f.nextSame = this.chains.get(k);
    this.chains.set(k, f);
    this.count++;
  }

  /** Removes a flow that is in the index. */
  delete(f: F): void {
    const k = this.key(f.lo, f.hi, f.ports);
    let head = this.chains.get(k);
    if (head === f) {
      if (f.nextSame === undefined) this.chains.delete(k);
      else this.chains.set(k, f.nextSame);
    } else {
      while (head !== undefined && head.nextSame !== f) head = head.nextSame;
      if (head === undefined) return;
      head.nextSame = f.nextSame;
    }
    f.nextSame = undefined;
    this.count--;
  }

  clear(): void {
    this.chains.clear();
    this.count = 0;
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
