/**
 * A coverage-guided mutation fuzzer, guided by V8's own block coverage (the inspector's precise
 * coverage, read after every input), in the manner of libFuzzer: inputs that reach code (or a count
 * bucket of a block) not reached before join the corpus, and new inputs are mutations of its
 * members. It runs inside a worker (`worker.ts`), so that the main thread can stop a hang.
 *
 * V8 reports a block only when its count differs from the enclosing range's: a block that runs as
 * often as the code around it is folded into it. A block once reported and later absent ran as
 * often as the innermost range reported around it.
 */
import { Session } from 'node:inspector';

/** What one fuzz target reads. */
export interface FuzzTarget {
  /** Inputs to start from (recorded fixtures). */
  seeds(): Uint8Array[];
  /** Runs one input; throws only on a defect (expected errors are caught inside). */
  run(input: Uint8Array): void;
  /** Longest input tried. */
  maxLen: number;
  /** Substrings of the module URLs whose coverage guides the search. */
  cover: readonly string[];
  /** Words worth inserting (text formats). */
  tokens?: readonly string[];
}

export interface Crash {
  input: Uint8Array;
  message: string;
}

export interface FuzzStats {
  execs: number;
  corpus: number;
  features: number;
  /** Corpus entries found by the search (beyond the seeds). */
  found: number;
  crashes: Crash[];
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this long... */
  ms: number;
  /** ...or this many inputs. */
  maxExecs?: number;
  /** false: mutate the seeds only, never grow the corpus (to measure what guidance adds). */
  guided?: boolean;
  /** Called before each input runs (the watchdog's copy). */
  before?: (input: Uint8Array) => void;
  /** Called for each input that joins the corpus. */
  onNew?: (input: Uint8Array) => void;
  maxCrashes?: number;
}

/** xorshift32: small, fast, seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }
}

const INTERESTING8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0x64];
const INTERESTING16 = [0, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x0800, 0x86dd, 0x0a0d];
const INTERESTING32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0a0d0d0a, 0x1a2b3c4d, 0xa1b2c3d4, 0x10000];

/** Count buckets, as AFL's: a loop that runs 1, 2, 3, 4-7... times is a different feature. */
function bucket(n: number): number {
  if (n <= 3) return n;
  if (n <= 7) return 4;
  if (n <= 15) return 5;
  if (n <= 31) return 6;
  if (n <= 127) return 7;
  return 8;
}

interface CovRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface CovScript {
  url: string;
  functions: { ranges: CovRange[] }[];
}

/** The coverage of what ran since the last call, as feature keys. */
export class Coverage {
  private readonly session = new Session();
  private readonly urls = new Map<string, number>();
  /** For each function seen, the blocks V8 ever reported in it. */
  private readonly known = new Map<string, Map<string, CovRange>>();

  /** Starts V8's block coverage; only code compiled from now on is counted. */
  constructor() {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params?: object): { result?: CovScript[] } {
    let out: { result?: CovScript[] } | undefined;
    let err: Error | null = null;
    // A session on the same thread answers synchronously.
    this.session.post(method, params, (e, r) => {
      err = e;
      out = r as { result?: CovScript[] };
    });
    if (err) throw err;
    if (out === undefined) throw new Error(`inspector: no synchronous answer to ${method}`);
    return out;
  }

  /** Features of what ran since the last call (and resets the counts). */
  take(into: string[], cover: readonly string[]): void {
    const scripts = this.post('Profiler.takePreciseCoverage').result ?? [];
    for (const sc of scripts) {
      if (!cover.some((c) => sc.url.includes(c))) continue;
      let u = this.urls.get(sc.url);
      if (u === undefined) {
        u = this.urls.size;
        this.urls.set(sc.url, u);
      }
      for (const f of sc.functions) {
        const top = f.ranges[0];
        if (top === undefined || top.count === 0) continue;
        const fk = `${u}:${top.startOffset}`;
        into.push(`${fk}:${bucket(top.count)}`);
        let known = this.known.get(fk);
        if (known === undefined) {
          known = new Map();
          this.known.set(fk, known);
        }
        const listed = new Set<string>();
        for (let i = 1; i < f.ranges.length; i++) {
          const r = f.ranges[i]!;
          const rk = `${r.startOffset}-${r.endOffset}`;
          listed.add(rk);
          if (!known.has(rk)) known.set(rk, r);
          if (r.count > 0) into.push(`${fk}:${rk}:${bucket(r.count)}`);
        }
        if (known.size === listed.size) continue;
        // A block not listed now ran as often as the innermost listed range around it.
        for (const [rk, k] of known) {
          if (listed.has(rk)) continue;
          let count = top.count;
          for (let i = 1; i < f.ranges.length; i++) {
            const r = f.ranges[i]!;
            if (r.startOffset > k.startOffset) break;
            if (r.endOffset >= k.endOffset) count = r.count;
          }
          if (count > 0) into.push(`${fk}:${rk}:${bucket(count)}`);
        }
      }
    }
  }

  close(): void {
    this.session.disconnect();
  }
}

const enc = new TextEncoder();

/** One random change to `b` (a new array). */
function mutateOnce(
  b: Uint8Array,
  rng: Rng,
  corpus: readonly Uint8Array[],
  tokens: readonly Uint8Array[],
): Uint8Array {
  const n = b.length;
  const at = rng.below(n);
  const op = rng.below(tokens.length > 0 ? 14 : 12);
  switch (op) {
    case 0: {
      if (n === 0) break;
      const c = b.slice();
      c[at] = c[at]! ^ (1 << rng.below(8));
      return c;
    }
    case 1: {
      if (n === 0) break;
      const c = b.slice();
      c[at] = rng.below(256);
      return c;
    }
    case 2: {
      if (n === 0) break;
      const c = b.slice();
      c[at] = INTERESTING8[rng.below(INTERESTING8.length)]!;
      return c;
    }
    case 3: {
      // A 16- or 32-bit value, either byte order: lengths, types, magic numbers.
      const wide = rng.below(2) === 1;
      const w = wide ? 4 : 2;
      if (n < w) break;
      const c = b.slice();
      const v = new DataView(c.buffer);
      const o = rng.below(n - w + 1);
      const le = rng.below(2) === 1;
      if (wide) v.setUint32(o, INTERESTING32[rng.below(INTERESTING32.length)]!, le);
      else v.setUint16(o, INTERESTING16[rng.below(INTERESTING16.length)]!, le);
      return c;
    }
    case 4: {
      // Arithmetic on a 8-, 16- or 32-bit field, either byte order.
      const w = [1, 2, 4][rng.below(3)]!;
      if (n < w) break;
      const c = b.slice();
      const v = new DataView(c.buffer);
      const o = rng.below(n - w + 1);
      const le = rng.below(2) === 1;
      const d = (rng.below(35) + 1) * (rng.below(2) === 1 ? 1 : -1);
      if (w === 1) c[o] = (c[o]! + d) & 0xff;
      else if (w === 2) v.setUint16(o, (v.getUint16(o, le) + d) & 0xffff, le);
      else v.setUint32(o, (v.getUint32(o, le) + d) >>> 0, le);
      return c;
    }
    case 5: {
      if (n === 0) break;
      const len = 1 + rng.below(Math.min(n - at, 64));
      return concat2(b.subarray(0, at), b.subarray(at + len));
    }
    case 6: {
      const ins = new Uint8Array(1 + rng.below(16));
      for (let i = 0; i < ins.length; i++) ins[i] = rng.below(256);
      return concat3(b.subarray(0, at), ins, b.subarray(at));
    }
    case 7: {
      // A range repeated elsewhere.
      if (n === 0) break;
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(n - from, 128));
      return concat3(b.subarray(0, at), b.slice(from, from + len), b.subarray(at));
    }
    case 8: {
      // A range copied over another.
      if (n < 2) break;
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(n - from, n - at, 128));
      const c = b.slice();
      c.set(b.subarray(from, from + len), at);
      return c;
    }
    case 9: {
      // Crossover: the head of this one, the tail of another.
      const o = corpus[rng.below(corpus.length)]!;
      return concat2(b.subarray(0, at), o.subarray(rng.below(o.length)));
    }
    case 10: {
      const o = corpus[rng.below(corpus.length)]!;
      const from = rng.below(o.length);
      return concat3(b.subarray(0, at), o.subarray(from, from + 1 + rng.below(256)), b.subarray(at));
    }
    case 11:
      return b.subarray(0, rng.below(n + 1)).slice();
    case 12: {
      const t = tokens[rng.below(tokens.length)]!;
      return concat3(b.subarray(0, at), t, b.subarray(at));
    }
    default: {
      const t = tokens[rng.below(tokens.length)]!;
      const c = b.slice();
      c.set(t.subarray(0, Math.max(0, n - at)), at);
      return c;
    }
  }
  return b.slice();
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

function concat3(a: Uint8Array, b: Uint8Array, d: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length + d.length);
  c.set(a);
  c.set(b, a.length);
  c.set(d, a.length + b.length);
  return c;
}

/** Up to 2^k stacked mutations, as libFuzzer stacks them. */
export function mutate(
  b: Uint8Array,
  rng: Rng,
  corpus: readonly Uint8Array[],
  tokens: readonly Uint8Array[],
  maxLen: number,
): Uint8Array {
  let c = b;
  const k = 1 << rng.below(4);
  for (let i = 0; i < k; i++) c = mutateOnce(c, rng, corpus, tokens);
  return c.length > maxLen ? c.slice(0, maxLen) : c;
}

const MAX_CORPUS = 4000;

/**
 * Fuzzes `target`, loaded after `cov` started, until `opts.ms` pass or `opts.maxExecs` inputs ran. */
export function fuzz(target: FuzzTarget, cov: Coverage, opts: FuzzOptions): FuzzStats {
  const rng = new Rng(opts.seed);
  const tokens = (target.tokens ?? []).map((t) => enc.encode(t));
  const seen = new Set<string>();
  const corpus: Uint8Array[] = [];
  const crashes: Crash[] = [];
  const crashKinds = new Set<string>();
  const maxCrashes = opts.maxCrashes ?? 5;
  const feats: string[] = [];
  let execs = 0;
  let found = 0;

  const runOne = (input: Uint8Array): number => {
    opts.before?.(input);
    execs++;
    try {
      target.run(input);
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      // One of each kind: the first line and the frame that threw.
      const kind = message.split('\n').slice(0, 2).join('\n');
      if (!crashKinds.has(kind)) {
        crashKinds.add(kind);
        crashes.push({ input: input.slice(), message });
      }
    }
    feats.length = 0;
    cov.take(feats, target.cover);
    let fresh = 0;
    for (const f of feats)
      if (!seen.has(f)) {
        seen.add(f);
        fresh++;
      }
    return fresh;
  };

  cov.take(feats, target.cover); // what loading the modules ran
  for (const s of target.seeds()) {
    runOne(s.length > target.maxLen ? s.subarray(0, target.maxLen) : s);
    corpus.push(s);
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));
  const guided = opts.guided ?? true;
  const deadline = performance.now() + opts.ms;
  const maxExecs = opts.maxExecs ?? Number.POSITIVE_INFINITY;
  while (execs < maxExecs && crashes.length < maxCrashes) {
    if ((execs & 15) === 0 && performance.now() >= deadline) break;
    const parent = corpus[rng.below(corpus.length)]!;
    const child = mutate(parent, rng, corpus, tokens, target.maxLen);
    if (runOne(child) > 0 && guided) {
      found++;
      opts.onNew?.(child);
      if (corpus.length < MAX_CORPUS) corpus.push(child);
      else corpus[rng.below(corpus.length)] = child;
    }
  }
  cov.close();
  return { execs, corpus: corpus.length, features: seen.size, found, crashes };
}
