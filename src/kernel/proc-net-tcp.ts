/**
 * Parser of /proc/net/tcp and /proc/net/tcp6 (pure: bytes in, sockets out).
 *
 * A row: `sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`, addresses as
 * the raw 32-bit words in hex in the host's byte order (IPv6: four words), ports and `st` in hex.
 * Full sockets have 17 fields, TIME_WAIT and SYN_RECV request rows 12; we read the first ten.
 * The bytes are walked once with a cursor: no string is built per field, only one per distinct address.
 * @see net/ipv4/tcp_ipv4.c get_tcp4_sock(), get_openreq4(), get_timewait4_sock()
 * @see net/ipv6/tcp_ipv6.c get_tcp6_sock()
 */

import { formatIpv6 } from '../net/ip.js';
import type { Socket, TimerKind } from '../tcp/socket.js';
import { stateFromCode } from '../tcp/states.js';

export interface ParseOptions {
  /** Byte order of the words in the address columns: the byte order of the machine that wrote the file. */
  littleEndian: boolean;
  /** Keep only rows whose kernel state code has its bit set (bit N for code N); all by default. */
  stateMask?: number;
}

export interface ParseResult {
  sockets: Socket[];
  /** Rows that could not be parsed, skipped. */
  malformed: number;
  /** The first malformed row, for the warning. */
  firstError?: string;
}

/** `tr` column to timer kind (net/ipv4/tcp_ipv4.c: 0 none, 1 retransmit/probe, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe). */
const TIMER_KINDS: readonly TimerKind[] = ['off', 'retransmit', 'keepalive', 'timewait', 'probe'];
/** `tm->when` is printed in clock ticks (USER_HZ, 100 per second). */
const MS_PER_TICK = 10;

const SP = 0x20;
const NL = 0x0a;
const COLON = 0x3a;

/** Hex digit value of a byte, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

class RowError extends Error {}

/** A cursor over one buffer; every read checks the bounds of the current line. */
class Cursor {
  pos = 0;
  end = 0;
  constructor(readonly buf: Uint8Array) {}

  skipSpaces(): void {
    const b = this.buf;
    while (this.pos < this.end && b[this.pos] === SP) this.pos++;
  }

  /** Up to `max` hex digits; stops at the first other byte. */
  hex(max = 8): number {
    const b = this.buf;
    let v = 0;
    let n = 0;
    while (this.pos < this.end && n < max) {
      const d = HEX[b[this.pos]!]!;
      if (d < 0) break;
      v = v * 16 + d;
      this.pos++;
      n++;
    }
    if (n === 0) throw new RowError(`expected hex digits at column ${this.pos}`);
    return v;
  }

  dec(): number {
    const b = this.buf;
    let v = 0;
    let n = 0;
    while (this.pos < this.end) {
      const c = b[this.pos]! - 0x30;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      this.pos++;
      n++;
    }
    if (n === 0) throw new RowError(`expected a decimal number at column ${this.pos}`);
    return v;
  }

  expect(byte: number): void {
    if (this.pos >= this.end || this.buf[this.pos] !== byte) {
      throw new RowError(`expected '${String.fromCharCode(byte)}' at column ${this.pos}`);
    }
    this.pos++;
  }

  /** Skip to the next space (end of the current field). */
  skipField(): void {
    const b = this.buf;
    while (this.pos < this.end && b[this.pos] !== SP) this.pos++;
  }
}

/**
 * Parse a whole /proc/net/tcp (family 4) or tcp6 (family 6) file.
 * The header line is skipped; malformed rows are counted and skipped.
 */
export function parseProcNetTcp(buf: Uint8Array, family: 4 | 6, opts: ParseOptions): ParseResult {
  const cur = new Cursor(buf);
  const sockets: Socket[] = [];
  const addr = new AddressDecoder(opts.littleEndian);
  const mask = opts.stateMask ?? 0xfff;
  let malformed = 0;
  let firstError: string | undefined;
  let line = 0;
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    line++;
    if (line > 1 && end > start) {
      cur.pos = start;
      cur.end = end;
      try {
        const s = parseRow(cur, family, addr, mask);
        if (s) sockets.push(s);
      } catch (e) {
        malformed++;
        if (firstError === undefined) {
          const why = e instanceof RowError ? e.message : String(e);
          firstError = `line ${line}: ${why}`;
        }
      }
    }
    start = end + 1;
  }
  const result: ParseResult = { sockets, malformed };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

function parseRow(cur: Cursor, family: 4 | 6, addr: AddressDecoder, mask: number): Socket | undefined {
  cur.skipSpaces();
  cur.dec(); // sl
  cur.expect(COLON);
  cur.skipSpaces();
  const local = family === 4 ? addr.v4(cur) : addr.v6(cur);
  const localMapped = addr.lastMapped;
  cur.expect(COLON);
  const localPort = cur.hex(4);
  cur.skipSpaces();
  const remote = family === 4 ? addr.v4(cur) : addr.v6(cur);
  const remoteMapped = addr.lastMapped;
  cur.expect(COLON);
  const remotePort = cur.hex(4);
  cur.skipSpaces();
  const code = cur.hex(2);
  const state = stateFromCode(code);
  if (state === undefined) throw new RowError(`unknown state code ${code.toString(16)}`);
  if ((mask & (1 << code)) === 0) return undefined;
  cur.skipSpaces();
  const sendQ = cur.hex();
  cur.expect(COLON);
  const recvQ = cur.hex();
  cur.skipSpaces();
  const tr = cur.hex(2);
  cur.expect(COLON);
  const when = cur.hex();
  cur.skipSpaces();
  const retransmits = cur.hex();
  cur.skipSpaces();
  const uid = cur.dec();
  cur.skipSpaces();
  // icsk_probes_out: the count that goes with a keepalive or zero-window probe timer, as netlink's
  // idiag_retrans does (inet_diag.c) and ss -o shows (tcp_show_line: `timer != 1 ? probes : retrans`).
  const probes = cur.dec();
  cur.skipSpaces();
  const inode = cur.dec();
  const kind = TIMER_KINDS[tr];
  if (kind === undefined) throw new RowError(`unknown timer ${tr}`);
  const s: Socket = {
    state,
    family,
    local: { address: local, port: localPort },
    remote: { address: remote, port: remotePort },
    recvQ,
    sendQ,
    inode,
    uid,
    timer: {
      kind,
      expiresMs: kind === 'off' ? 0 : when * MS_PER_TICK,
      retransmits: tr === 1 ? retransmits : probes,
    },
  };
  // A mapped socket speaks IPv4 through an IPv6 socket; a wildcard local end (`::`) is not mapped.
  if (family === 6 && (localMapped || remoteMapped)) s.mapped = true;
  return s;
}

/** Decodes address columns to strings, caching one string per distinct address. */
class AddressDecoder {
  private readonly v4cache = new Map<number, string>();
  private readonly v6cache = new Map<string, string>();
  lastMapped = false;
  constructor(private readonly littleEndian: boolean) {}

  v4(cur: Cursor): string {
    const start = cur.pos;
    const w = cur.hex(8);
    if (cur.pos - start !== 8) throw new RowError(`IPv4 address of ${cur.pos - start} hex digits`);
    this.lastMapped = false;
    let s = this.v4cache.get(w);
    if (s === undefined) {
      s = this.quad(w);
      this.v4cache.set(w, s);
    }
    return s;
  }

  private quad(w: number): string {
    return this.littleEndian
      ? `${w & 0xff}.${(w >>> 8) & 0xff}.${(w >>> 16) & 0xff}.${w >>> 24}`
      : `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
  }

  v6(cur: Cursor): string {
    const start = cur.pos;
    if (cur.end - start < 32) throw new RowError('IPv6 address shorter than 32 hex digits');
    const text = String.fromCharCode(...cur.buf.subarray(start, start + 32));
    let s = this.v6cache.get(text);
    if (s === undefined) {
      const bytes = new Uint8Array(16);
      for (let i = 0; i < 4; i++) {
        const w = cur.hex(8);
        if (cur.pos - start !== (i + 1) * 8) throw new RowError('malformed IPv6 address');
        for (let j = 0; j < 4; j++) {
          const shift = this.littleEndian ? 8 * j : 24 - 8 * j;
          bytes[i * 4 + j] = (w >>> shift) & 0xff;
        }
      }
      s = formatIpv6(bytes);
      this.v6cache.set(text, s);
    } else {
      cur.pos = start + 32;
    }
    this.lastMapped = s.includes('.');
    return s;
  }
}

export interface CountResult {
  /** Sockets per kernel state code (index 1 to 11). */
  counts: number[];
  malformed: number;
}

/**
 * Counts rows per state without building sockets: only the `st` column of each row is read.
 * The fast path of `tcpscope count` with no filter but states and family.
 */
export function countProcNetTcp(
  buf: Uint8Array,
  counts: number[] = new Array<number>(12).fill(0),
): CountResult {
  let malformed = 0;
  let start = buf.indexOf(NL) + 1; // past the header
  if (start === 0) return { counts, malformed };
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    if (end > start) {
      const code = stateColumn(buf, start, end);
      if (code >= 1 && code <= 11) counts[code]!++;
      else malformed++;
    }
    start = end + 1;
  }
  return { counts, malformed };
}

/** The `st` column of the row in [start, end): the fourth field. -1 when the row is malformed. */
function stateColumn(b: Uint8Array, start: number, end: number): number {
  let p = start;
  for (let field = 0; field < 3; field++) {
    while (p < end && b[p] === SP) p++;
    const f = p;
    while (p < end && b[p] !== SP) p++;
    if (p === f) return -1;
  }
  while (p < end && b[p] === SP) p++;
  if (p + 2 > end || (p + 2 < end && b[p + 2] !== SP)) return -1;
  const hi = HEX[b[p]!]!;
  const lo = HEX[b[p + 1]!]!;
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}
