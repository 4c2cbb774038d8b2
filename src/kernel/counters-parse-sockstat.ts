/**
 * Parser of /proc/net/sockstat and sockstat6 (pure): one table a line, then name/value pairs.
 *
 *   sockets: used 11
 *   TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 278
 *   FRAG: inuse 0 memory 0
 *   TCP6: inuse 0
 *
 * `inuse` and `tw` are the namespace's own; `orphan`, `alloc` and `mem` (in pages) are host-wide.
 * Unknown tables and names are kept; a line with an odd pair or a non-integer is counted and skipped.
 * @see net/ipv4/proc.c sockstat_seq_show(), net/ipv6/proc.c sockstat6_seq_show()
 */
import type { CounterParse, CounterTables } from './counters-types.js';

const INTEGER = /^-?\d+$/;

/** Parses a /proc/net/sockstat or sockstat6 text: `{ sockets: { used }, TCP: { inuse, ... }, ... }`. */
export function parseSockstat(text: string): CounterParse<CounterTables> {
  const value: CounterTables = {};
  let malformed = 0;
  let firstError: string | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    const words = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (colon <= 0 || words.length % 2 !== 0 || words.some((w, k) => k % 2 === 1 && !INTEGER.test(w))) {
      malformed++;
      firstError ??= `line ${i + 1}: expected 'TABLE: name value ...'`;
      return;
    }
    const name = line.slice(0, colon);
    const table = value[name] ?? {};
    value[name] = table;
    for (let k = 0; k < words.length; k += 2) table[words[k]!] = Number(words[k + 1]);
  });
  const result: CounterParse<CounterTables> = { value, malformed };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
