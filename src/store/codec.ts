/**
 * Pure. How a reading's rows and a bucket's rollups are packed into one row per kind: a JSON array
 * of `[key, state, value...]` tuples, states by the kernel's number (1 ESTABLISHED ... 11 CLOSING;
 * 0 for rates), deflated, so a reading of 200 series is one row of a few hundred bytes rather than
 * 200 rows that each repeat their time, kind, key and state name. Measured with
 * bench/store/growth.mjs on the largest readings `--top 20` makes: a day took about 200 MB as a row
 * per value, 56 MB as JSON rows, and the figure the README gives deflated.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { stateFromCode, TCP_STATES, type TcpState } from '../tcp/states.js';
import type { Agg } from './rollup.js';

/** One value of a reading: a count (kind `all`, `port`, `process`) or a rate (kind `rate`, state ''). */
export interface Value {
  key: string;
  state: string;
  value: number;
}

const code = (state: string): number => (state === '' ? 0 : TCP_STATES.indexOf(state as TcpState) + 1);
const name = (c: unknown): string | undefined => (c === 0 ? '' : stateFromCode(Number(c)));

/** Rates keep three decimals; counts are whole (averages are not stored, sums are). */
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A reading's values of one kind: `[[key, state, value, state, value, ...], ...]`, one tuple per key. */
export function encodeValues(values: readonly Value[]): Uint8Array {
  const byKey = new Map<string, (string | number)[]>();
  for (const v of values) {
    let t = byKey.get(v.key);
    if (!t) {
      t = [v.key];
      byKey.set(v.key, t);
    }
    t.push(code(v.state), round3(v.value));
  }
  return pack([...byKey.values()]);
}

/** The values `encodeValues` packed; tuples it cannot read are skipped and counted. */
export function decodeValues(data: Uint8Array | string): { values: Value[]; bad: number } {
  const values: Value[] = [];
  let bad = 0;
  for (const t of unpack(data)) {
    if (!Array.isArray(t) || typeof t[0] !== 'string' || t.length % 2 !== 1) {
      bad++;
      continue;
    }
    for (let i = 1; i < t.length; i += 2) {
      const state = name(t[i]);
      const value = t[i + 1];
      if (state === undefined || typeof value !== 'number') bad++;
      else values.push({ key: t[0], state, value });
    }
  }
  return { values, bad };
}

/** A bucket's aggregates of one kind: `[[key, state, n, sum, min, max, last], ...]`. */
export function encodeAggs(aggs: readonly Agg[]): Uint8Array {
  return pack(
    aggs.map((a) => [a.key, code(a.state), a.n, round3(a.sum), round3(a.min), round3(a.max), round3(a.last)]),
  );
}

/** The aggregates `encodeAggs` packed, given back their bucket's time and kind. */
export function decodeAggs(
  data: Uint8Array | string,
  time: number,
  kind: string,
): { aggs: Agg[]; bad: number } {
  const aggs: Agg[] = [];
  let bad = 0;
  for (const t of unpack(data)) {
    const state = Array.isArray(t) ? name(t[1]) : undefined;
    if (
      !Array.isArray(t) ||
      t.length !== 7 ||
      typeof t[0] !== 'string' ||
      state === undefined ||
      !t.slice(2).every((x) => typeof x === 'number')
    ) {
      bad++;
      continue;
    }
    const [key, , n, sum, min, max, last] = t as [string, number, number, number, number, number, number];
    aggs.push({ time, kind, key, state, n, sum, min, max, last });
  }
  return { aggs, bad };
}

function pack(tuples: unknown[]): Uint8Array {
  return deflateRawSync(JSON.stringify(tuples));
}

/** The tuples of a packed row (JSON text is read as it is); a damaged row gives none. */
function unpack(data: Uint8Array | string): unknown[] {
  try {
    const v: unknown = JSON.parse(typeof data === 'string' ? data : inflateRawSync(data).toString('utf8'));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
