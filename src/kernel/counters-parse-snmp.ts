/**
 * Parser of /proc/net/snmp and /proc/net/netstat (pure: text in, tables out). Both files are made of
 * line pairs, a header line naming the fields and a value line, each starting with the table's name:
 *
 *   Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens ...
 *   Tcp: 1 200 120000 -1 71 ...
 *
 * Kernels add fields (and tables: `MPTcpExt` since 5.6): every field is kept, whatever its name.
 * A pair whose lines disagree is counted and skipped. Values above 2^53 lose precision (JavaScript
 * numbers); no TCP counter gets there.
 * @see net/ipv4/proc.c snmp_seq_show(), netstat_seq_show()
 */
import type { CounterParse, CounterTables } from './counters-types.js';

const INTEGER = /^-?\d+$/;

/** Parses a /proc/net/snmp or /proc/net/netstat text: tables in file order, unknown fields kept. */
export function parseSnmp(text: string): CounterParse<CounterTables> {
  const value: CounterTables = {};
  const lines = text.split('\n');
  let malformed = 0;
  let firstError: string | undefined;
  const fail = (line: number, why: string, skip: number): number => {
    malformed++;
    firstError ??= `line ${line}: ${why}`;
    return skip;
  };
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!;
    if (header.trim() === '') {
      i++;
      continue;
    }
    const values = lines[i + 1] ?? '';
    const h = splitLine(header);
    const v = splitLine(values);
    if (!h) {
      i += fail(i + 1, 'no table name', 1);
      continue;
    }
    if (!v || v.table !== h.table) {
      i += fail(i + 1, `table ${h.table}: header without its value line`, 1);
      continue;
    }
    if (v.fields.length !== h.fields.length) {
      i += fail(i + 2, `table ${h.table}: ${h.fields.length} names but ${v.fields.length} values`, 2);
      continue;
    }
    let bad: string | undefined;
    for (const x of v.fields)
      if (!INTEGER.test(x)) {
        bad = x;
        break;
      }
    if (bad !== undefined) {
      i += fail(i + 2, `table ${h.table}: '${bad}' is not an integer`, 2);
      continue;
    }
    const table = value[h.table] ?? {};
    value[h.table] = table;
    for (let k = 0; k < h.fields.length; k++) table[h.fields[k]!] = Number(v.fields[k]);
    i += 2;
  }
  const result: CounterParse<CounterTables> = { value, malformed };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

/** /proc/net/netstat has the same layout as /proc/net/snmp (`TcpExt`, `IpExt`, `MPTcpExt`). */
export const parseNetstat = parseSnmp;

function splitLine(line: string): { table: string; fields: string[] } | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const rest = line.slice(colon + 1).trim();
  return { table: line.slice(0, colon), fields: rest === '' ? [] : rest.split(/\s+/) };
}

/**
 * Tables under nstat's names, the table's name joined to the field's (`Tcp` + `ActiveOpens` =
 * `TcpActiveOpens`, `TcpExt` + `ListenOverflows` = `TcpExtListenOverflows`), added to `into`.
 * @see iproute2 misc/nstat.c load_ugly_table()
 */
export function nstatNames(tables: CounterTables, into: Record<string, number> = {}): Record<string, number> {
  for (const [table, fields] of Object.entries(tables)) {
    for (const [field, n] of Object.entries(fields)) into[table + field] = n;
  }
  return into;
}
