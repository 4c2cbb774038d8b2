/**
 * Parser of /proc/net/snmp6 (pure): one counter a line, its full name then its value, already in
 * nstat's form (`Ip6InReceives   1`, `Icmp6InType133   4`, `Udp6InDatagrams   0`). Unknown names
 * are kept; a line that is not a name and an integer is counted and skipped.
 * @see net/ipv6/proc.c snmp6_seq_show()
 */
import type { CounterParse } from './counters-types.js';

const LINE = /^(\S+)\s+(-?\d+)\s*$/;

/** Parses a /proc/net/snmp6 text into name → value, in file order. */
export function parseSnmp6(text: string): CounterParse<Record<string, number>> {
  const value: Record<string, number> = {};
  let malformed = 0;
  let firstError: string | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = LINE.exec(line);
    if (!m) {
      malformed++;
      firstError ??= `line ${i + 1}: expected a name and an integer`;
      return;
    }
    value[m[1]!] = Number(m[2]);
  });
  const result: CounterParse<Record<string, number>> = { value, malformed };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
