/**
 * Parser of /proc/net/sockstat and sockstat6 (pure): `PROTO: key value key value ...` lines to
 * `{ PROTO: { key: value } }`, names kept as the kernel prints them (`TCP: inuse orphan tw alloc mem`).
 * Inside a network namespace `inuse` and `tw` are the namespace's own; `orphan`, `alloc`, `mem` and
 * `sockets: used` are host-wide.
 * @see net/ipv4/proc.c sockstat_seq_show(), net/ipv6/proc.c sockstat6_seq_show()
 */

export type Sockstat = Record<string, Record<string, number>>;

/** Parses the text of a sockstat file; lines it cannot read are left out. */
export function parseSockstat(text: string): Sockstat {
  const out: Sockstat = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const words = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const fields: Record<string, number> = {};
    for (let i = 0; i + 1 < words.length; i += 2) {
      const v = Number(words[i + 1]);
      if (Number.isFinite(v)) fields[words[i]!] = v;
    }
    if (Object.keys(fields).length > 0) out[line.slice(0, colon)] = fields;
  }
  return out;
}
