/** Made-up tables for the doctor's unit tests: sockets, inputs with and without a window. */
import { DEFAULTS } from '../../src/doctor/config.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import type { DoctorInput, Finding } from '../../src/doctor/types.js';
import { windowOf } from '../../src/doctor/window.js';
import { attribute } from '../../src/snapshot/attribute.js';
import type { CounterInterval } from '../../src/stats/sampler.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';

export function sock(
  state: TcpState,
  local: string,
  lport: number,
  remote: string,
  rport: number,
  pid?: number,
  extra: Partial<Socket> = {},
): Socket {
  const s: Socket = {
    state,
    family: local.includes(':') ? 6 : 4,
    local: { address: local, port: lport },
    remote: { address: remote, port: rport },
    recvQ: 0,
    sendQ: 0,
    inode: pid ? 1000 + lport * 7 + rport : 0,
    uid: 0,
    ...extra,
  };
  s.owners = pid ? [{ pid, fd: 3, command: `app${pid}`, user: 'root' }] : [];
  return s;
}

export const listener = (port: number, pid: number, extra: Partial<Socket> = {}): Socket =>
  sock('LISTEN', '0.0.0.0', port, '0.0.0.0', 0, pid, extra);

const SYSCTLS = {
  'net.core.somaxconn': 4096,
  'net.ipv4.ip_local_port_range': [32768, 60999],
  'net.ipv4.tcp_max_tw_buckets': 262144,
  'net.ipv4.tcp_syncookies': 1,
  'net.ipv4.tcp_tw_reuse': 2,
  'net.ipv4.tcp_max_orphans': 65536,
  'net.ipv4.tcp_mem': [90000, 120000, 180000],
};

function snap(sockets: Socket[], second: number, source: Snapshot['source']): Snapshot {
  attribute(sockets);
  return { time: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), source, sockets };
}

/** One snapshot, no window (`--now`). */
export function input(sockets: Socket[], over: Partial<DoctorInput> = {}): DoctorInput {
  return {
    snapshot: snap(sockets, 3, 'netlink'),
    counters: {},
    sockstat: { TCP: { inuse: sockets.length, orphan: 0, tw: 0, alloc: 0, mem: 1 } },
    sysctls: { ...SYSCTLS },
    exes: new Map(),
    config: { ...DEFAULTS },
    lang: 'en',
    ...over,
  };
}

/** Counter increases over `seconds` (rates derived from them). */
export function interval(delta: Record<string, number>, seconds = 3): CounterInterval {
  const sample: CounterInterval['sample'] = { counters: {}, sockstat: {}, malformed: 0 };
  return {
    start: new Date(0),
    end: new Date(seconds * 1000),
    seconds,
    delta,
    rates: Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, v / seconds])),
    resets: [],
    previous: sample,
    sample,
  };
}

/** A window of snapshots one second apart (the last is the one reported on) and counter increases. */
export function windowed(
  tables: Socket[][],
  delta: Record<string, number> = {},
  over: Partial<DoctorInput> = {},
): DoctorInput {
  const snaps = tables.map((t, i) => snap(t, i, over.snapshot?.source ?? 'netlink'));
  const last = snaps.at(-1)!;
  return {
    ...input(last.sockets, over),
    snapshot: last,
    window: windowOf(snaps),
    interval: interval(delta, snaps.length - 1),
  };
}

/** The findings above info (what the busy healthy cases must not have). */
export function loud(i: DoctorInput): Finding[] {
  return diagnose(i).findings.filter((f) => f.severity !== 'info');
}

/** The findings of one rule. */
export function of(i: DoctorInput, rule: string): Finding[] {
  return diagnose(i).findings.filter((f) => f.rule === rule);
}

/** `n` copies made by `make(i)`. */
export function many<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}
