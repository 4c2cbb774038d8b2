/**
 * The flags that choose sockets, shared by `ls`, `count`, `who` and the overview: where to read
 * (`--netns`, `--netns-pid`) and which sockets to keep (states, ports, addresses, processes).
 */
import { UsageError } from '../errors.js';
import { cidrMatcher } from '../net/ip.js';
import type { FilterSpec, PortMatch } from '../snapshot/filter.js';
import { SOURCE_CHOICES, type SourceChoice } from '../snapshot/source.js';
import type { SnapshotOptions } from '../snapshot/take.js';
import { parseStateList, STATE_GROUPS, type StateMask } from '../tcp/state-names.js';
import { stateCode } from '../tcp/states.js';
import type { OptionSpec } from './command-spec.js';

/** What commander hands back for the flags below. */
export interface SourceFlags {
  source?: string;
  netns?: string;
  netnsPid?: string;
  procRoot?: string;
}

export interface FilterFlags {
  state?: string;
  port?: string;
  sport?: string;
  dport?: string;
  src?: string;
  dst?: string;
  pid?: string;
  process?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  listening?: boolean;
}

/** `--source`, `--netns`, `--netns-pid` and the hidden `--proc-root`. */
export const SOURCE_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--source <name>',
    description: `where to read the table: ${SOURCE_CHOICES.join(', ')} (auto: netlink, else /proc/net/tcp)`,
  },
  { flags: '--netns <name>', description: 'read the named network namespace (ip netns list); needs root' },
  { flags: '--netns-pid <pid>', description: 'read the network namespace of process PID' },
  { flags: '--proc-root <dir>', description: 'the proc mount to read (for tests)', hidden: true },
];

/** The socket filters. */
export const FILTER_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '-s, --state <list>',
    description: `states or groups, comma-separated, ! to exclude (${Object.keys(STATE_GROUPS).join(', ')})`,
  },
  { flags: '--port <list>', description: 'local or remote port, comma-separated, ranges as 8000-8100' },
  { flags: '--sport <list>', description: 'local port or range' },
  { flags: '--dport <list>', description: 'remote port or range' },
  { flags: '--src <addr>', description: 'local address or CIDR prefix (IPv4 or IPv6)' },
  { flags: '--dst <addr>', description: 'remote address or CIDR prefix' },
  { flags: '--pid <list>', description: 'held by these processes (or queued on their listeners)' },
  { flags: '--process <name>', description: 'held by a process whose command starts with NAME' },
  { flags: '-4, --ipv4', description: 'IPv4 sockets only' },
  { flags: '-6, --ipv6', description: 'IPv6 sockets only (IPv4-mapped included)' },
  { flags: '-l, --listening', description: 'listening sockets only' },
];

/** Where to read, as snapshot options. */
export function sourceOptions(f: SourceFlags): SnapshotOptions {
  const o: SnapshotOptions = {};
  if (f.procRoot !== undefined) o.procRoot = f.procRoot;
  if (f.source !== undefined) {
    const name = f.source.toLowerCase() as SourceChoice;
    if (!SOURCE_CHOICES.includes(name))
      throw new UsageError(`--source: unknown source '${f.source}': valid are ${SOURCE_CHOICES.join(', ')}`);
    o.source = name;
  }
  if (f.netns !== undefined && f.netnsPid !== undefined)
    throw new UsageError('--netns and --netns-pid exclude each other');
  if (f.netns !== undefined) o.netns = f.netns;
  if (f.netnsPid !== undefined) o.netnsPid = parseIntFlag('--netns-pid', f.netnsPid, 1, 2 ** 22);
  return o;
}

/** The filter flags as a spec, and the state mask to push down to the reader. */
export function filterSpec(f: FilterFlags): FilterSpec {
  const spec: FilterSpec = {};
  let states: StateMask | undefined = f.state !== undefined ? parseStateList(f.state) : undefined;
  if (f.listening) states = (states ?? 0xffe) & (1 << stateCode('LISTEN'));
  if (states !== undefined) spec.states = states;
  if (f.port !== undefined) spec.ports = parsePorts('--port', f.port);
  if (f.sport !== undefined) spec.sports = parsePorts('--sport', f.sport);
  if (f.dport !== undefined) spec.dports = parsePorts('--dport', f.dport);
  if (f.src !== undefined) spec.src = addressFlag('--src', f.src);
  if (f.dst !== undefined) spec.dst = addressFlag('--dst', f.dst);
  if (f.pid !== undefined) spec.pids = parseList('--pid', f.pid, 1, 2 ** 22);
  if (f.process !== undefined) spec.process = f.process;
  if (f.ipv4 && f.ipv6) throw new UsageError('-4 and -6 exclude each other');
  if (f.ipv4) spec.family = 4;
  if (f.ipv6) spec.family = 6;
  return spec;
}

function addressFlag(flag: string, text: string) {
  const m = cidrMatcher(text);
  if (!m) throw new UsageError(`${flag}: '${text}' is not an IP address or CIDR prefix`);
  return m;
}

/** A whole number within bounds, or a usage error naming the flag. */
export function parseIntFlag(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: '${text}' is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is out of range ${min}..${max}`);
  return n;
}

/** Seconds, decimals allowed, within bounds, as milliseconds; or a usage error naming the flag. */
export function parseSecondsFlag(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim()))
    throw new UsageError(`${flag}: '${text}' is not a number of seconds`);
  const s = Number(text);
  if (s < min || s > max) throw new UsageError(`${flag}: ${s} is out of range (${min} to ${max} s)`);
  return Math.round(s * 1000);
}

/** `80,443,8000-8100`: ports and inclusive ranges. */
function parsePorts(flag: string, text: string): PortMatch[] {
  return text
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p): PortMatch => {
      const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(p);
      if (!m) return parseIntFlag(flag, p, 0, 65535);
      const lo = parseIntFlag(flag, m[1]!, 0, 65535);
      const hi = parseIntFlag(flag, m[2]!, 0, 65535);
      if (lo > hi) throw new UsageError(`${flag}: empty range '${p.trim()}'`);
      return [lo, hi];
    });
}

function parseList(flag: string, text: string, min: number, max: number): number[] {
  return text
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p) => parseIntFlag(flag, p, min, max));
}

/**
 * The filter flags as typed on one line (`--port 8080 -s close-wait --dst 10.0.0.0/8`), read by the
 * definitions of FILTER_OPTIONS: `tcpscope watch`'s `/` prompt takes what `ls` takes. Throws a
 * UsageError naming what it could not read.
 */
export function parseFilterLine(text: string): FilterFlags {
  const flags: Record<string, string | boolean> = {};
  const defs = filterDefs();
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const name =
      eq > 0 ? w.slice(2, eq) : w.startsWith('--') ? w.slice(2) : w.startsWith('-') ? w.slice(1) : undefined;
    const def = defs.find((d) => d.long === name || (d.short !== undefined && d.short === name));
    if (!def)
      throw new UsageError(`unknown filter '${w}': valid are ${defs.map((d) => `--${d.long}`).join(', ')}`);
    const key = def.key;
    if (!def.value) flags[key] = true;
    else if (eq > 0) flags[key] = w.slice(eq + 1);
    else {
      const v = words[++i];
      if (v === undefined) throw new UsageError(`${w} needs a value`);
      flags[key] = v;
    }
  }
  return flags as FilterFlags;
}

/** The filter flags of FILTER_OPTIONS: short and long names, whether each takes a value, its key. */
function filterDefs(): { short: string | undefined; long: string; value: boolean; key: string }[] {
  return FILTER_OPTIONS.map((o) => {
    const m = /^(?:-(\w), )?--([\w-]+)(?: <\w+>)?$/.exec(o.flags)!;
    const long = m[2]!;
    return {
      short: m[1],
      long,
      value: o.flags.includes('<'),
      key: long.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    };
  });
}

/** The filter flags of `f` written back as a line parseFilterLine reads (`--state close-wait --port 80`). */
export function filterLine(f: Partial<FilterFlags>): string {
  const parts: string[] = [];
  const given = f as Record<string, unknown>;
  for (const d of filterDefs()) {
    const v = given[d.key];
    if (v === true && !d.value) parts.push(`--${d.long}`);
    else if (typeof v === 'string' && d.value) parts.push(`--${d.long} ${v}`);
  }
  return parts.join(' ');
}
