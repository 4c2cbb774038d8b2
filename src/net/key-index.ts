/**
 * Whole-number keys (1 to 2^53: sockets' tuple hashes) to rows, in typed arrays with open
 * addressing; also a set (`add` says whether the key was new). Pure. A `Map` keyed by numbers this
 * large boxes every key it hashes: at 100,000 sockets a reading, that cost more than the reading.
 */
export class KeyIndex {
  private keys: Float64Array;
  private rows: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.keys = new Float64Array(n);
    this.rows = new Int32Array(n);
    this.mask = n - 1;
  }

  private slot(k: number): number {
    // Both halves of the key, mixed.
    const lo = (k % 4294967296) | 0;
    const hi = (k / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) & this.mask;
  }

  /** Empties the index for `capacity` keys, keeping its memory when it is large enough. */
  reset(capacity: number): this {
    if (capacity * 2 > this.keys.length) {
      let n = this.keys.length;
      while (n < capacity * 2) n *= 2;
      this.keys = new Float64Array(n);
      this.rows = new Int32Array(n);
      this.mask = n - 1;
    } else this.keys.fill(0);
    this.size = 0;
    return this;
  }

  /** The row of `k`, or -1. */
  get(k: number): number {
    const keys = this.keys;
    let i = this.slot(k);
    for (;;) {
      const at = keys[i]!;
      if (at === k) return this.rows[i]!;
      if (at === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** Sets `k` to `row` unless it is there already; false when it was. */
  add(k: number, row: number): boolean {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    let i = this.slot(k);
    for (;;) {
      const at = keys[i]!;
      if (at === k) return false;
      if (at === 0) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = k;
    this.rows[i] = row;
    this.size++;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldRows = this.rows;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.rows = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== 0) this.add(oldKeys[i]!, oldRows[i]!);
  }
}
