/**
 * The capture filter tcpdump gets, built from tcpscope's own validated flags as a list of words (never
 * a shell string): TCP only, ports and port ranges, hosts and CIDR prefixes, one family, and an
 * expert's own expression in parentheses. Pure.
 * @see https://www.tcpdump.org/manpages/pcap-filter.7.html
 */
import { UsageError } from '../errors.js';
import { cidrMatcher, formatIpv6 } from '../net/ip.js';

export interface FilterFlags {
  /** `80,443,8000-8100`: either end. */
  port?: string;
  /** An address or CIDR prefix at either end, comma-separated. */
  host?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  /** A pcap-filter expression of the user's own, and-ed with the rest. */
  bpf?: string;
}

/** The filter as words for tcpdump's argument list. */
export function captureFilter(f: FilterFlags): string[] {
  const words: string[] = ['tcp'];
  if (f.ipv4 && f.ipv6) throw new UsageError('-4 and -6 together select nothing; give one or neither');
  if (f.ipv4) words.push('and', 'ip');
  if (f.ipv6) words.push('and', 'ip6');
  if (f.port !== undefined) words.push('and', ...anyOf(list(f.port).map(portWords)));
  if (f.host !== undefined) words.push('and', ...anyOf(list(f.host).map(hostWords)));
  if (f.bpf !== undefined) {
    if (f.bpf.trim() === '') throw new UsageError('--bpf: an empty expression');
    words.push('and', `(${f.bpf})`);
  }
  return words;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function anyOf(alternatives: string[][]): string[] {
  if (alternatives.length === 1) return alternatives[0]!;
  return ['(', ...alternatives.flatMap((a, i) => (i === 0 ? a : ['or', ...a])), ')'];
}

function portWords(p: string): string[] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(p);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo > 65535 || hi > 65535 || lo > hi)
    throw new UsageError(`--port: '${p}' is not a port or range (80, 8000-8100)`);
  return lo === hi ? ['port', String(lo)] : ['portrange', `${lo}-${hi}`];
}

function hostWords(h: string): string[] {
  const m = cidrMatcher(h);
  if (!m) throw new UsageError(`--host: '${h}' is not an IP address or CIDR prefix`);
  const { family, bytes, prefixLen } = m.cidr;
  // Written back from the parsed bytes: nothing of the user's text reaches tcpdump.
  const text = family === 4 ? [...bytes].join('.') : formatIpv6(bytes);
  const full = family === 4 ? 32 : 128;
  return prefixLen === full ? ['host', text] : ['net', `${text}/${prefixLen}`];
}
