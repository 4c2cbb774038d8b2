/**
 * Test-only: the packets of `tcpdump -nr FILE -tt -S` text, the expected side of the capture
 * readers' tests (tcpdump's own decoding is the reference).
 */

/** One line of tcpdump's output, as far as it was printed (a snaplen cut hides the length). */
export interface TcpdumpLine {
  timeUs: number;
  family: 4 | 6;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq?: number;
  ack?: number;
  len?: number;
}

const FLAG_BITS: Record<string, number> = {
  F: 0x01,
  S: 0x02,
  R: 0x04,
  P: 0x08,
  '.': 0x10,
  U: 0x20,
  E: 0x40,
  W: 0x80,
};

const LINE =
  /^(\d+)\.(\d{6}) (?:\S+\s+(?:In|Out|B|M|P)\s+)?(IP6?) (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](.*)$/;

/** Parses the TCP lines of tcpdump's text; other lines are ignored. */
export function parseTcpdumpText(text: string): TcpdumpLine[] {
  const out: TcpdumpLine[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    let flags = 0;
    for (const c of m[8]!) flags |= FLAG_BITS[c] ?? 0;
    const rest = m[9]!;
    const p: TcpdumpLine = {
      timeUs: Number(m[1]) * 1e6 + Number(m[2]),
      family: m[3] === 'IP6' ? 6 : 4,
      src: m[4]!,
      sport: Number(m[5]),
      dst: m[6]!,
      dport: Number(m[7]),
      flags,
    };
    const seq = /, seq (\d+)/.exec(rest);
    if (seq) p.seq = Number(seq[1]);
    const ack = /, ack (\d+)/.exec(rest);
    if (ack) p.ack = Number(ack[1]);
    const len = /, length (\d+)/.exec(rest);
    if (len) p.len = Number(len[1]);
    out.push(p);
  }
  return out;
}
