/**
 * The `sar -n` views over counter intervals (pure), with sar's column names and meanings, plus
 * tcpscope's LISTEN and STATE views. Levels (sockstat, sockets per state) are read at the end of an
 * interval; rates are deltas over the real elapsed time. The average over a run is, like sar's, the
 * mean of the levels and the total delta over the total time for the rates.
 * @see sysstat rd_stats.c read_net_sock(), read_net_tcp(), read_net_etcp(); pr_stats.c print_net_*
 */
import type { TcpState } from '../tcp/states.js';
import { TCP_STATES } from '../tcp/states.js';
import type { CounterInterval } from './sampler.js';

export const SAR_VIEWS = ['SOCK', 'SOCK6', 'TCP', 'ETCP', 'LISTEN', 'STATE'] as const;
export type SarView = (typeof SAR_VIEWS)[number];

type Source = { rate: string } | { sockstat: [table: string, field: string] } | { state: TcpState };

export interface SarColumn {
  /** The JSON key: sar's column name, the counter's name with `/s`, or the Linux state name. */
  key: string;
  /** The text table's header. */
  header: string;
  kind: 'level' | 'rate';
  source: Source;
}

const level = (key: string, table: string, field: string): SarColumn => ({
  key,
  header: key,
  kind: 'level',
  source: { sockstat: [table, field] },
});
const rate = (key: string, counter: string): SarColumn => ({
  key,
  header: key,
  kind: 'rate',
  source: { rate: counter },
});
const STATE_HEADERS: Record<TcpState, string> = {
  ESTABLISHED: 'estab',
  SYN_SENT: 'synsent',
  SYN_RECV: 'synrecv',
  FIN_WAIT1: 'finwait1',
  FIN_WAIT2: 'finwait2',
  TIME_WAIT: 'timewait',
  CLOSE: 'close',
  CLOSE_WAIT: 'closewait',
  LAST_ACK: 'lastack',
  LISTEN: 'listen',
  CLOSING: 'closing',
};
const LISTEN_COUNTERS = [
  'ListenOverflows',
  'ListenDrops',
  'SyncookiesSent',
  'SyncookiesRecv',
  'SyncookiesFailed',
  'TCPReqQFullDrop',
];

/** Each view's columns, in sar's order. */
export const SAR_COLUMNS: Record<SarView, readonly SarColumn[]> = {
  // totsck counts every socket of the namespace; tcpsck is IPv4 TCP only (IPv6 is SOCK6's tcp6sck).
  SOCK: [
    level('totsck', 'sockets', 'used'),
    level('tcpsck', 'TCP', 'inuse'),
    level('udpsck', 'UDP', 'inuse'),
    level('rawsck', 'RAW', 'inuse'),
    level('ip-frag', 'FRAG', 'inuse'),
    level('tcp-tw', 'TCP', 'tw'),
  ],
  SOCK6: [
    level('tcp6sck', 'TCP6', 'inuse'),
    level('udp6sck', 'UDP6', 'inuse'),
    level('raw6sck', 'RAW6', 'inuse'),
    level('ip6-frag', 'FRAG6', 'inuse'),
  ],
  TCP: [
    rate('active/s', 'TcpActiveOpens'),
    rate('passive/s', 'TcpPassiveOpens'),
    rate('iseg/s', 'TcpInSegs'),
    rate('oseg/s', 'TcpOutSegs'),
  ],
  ETCP: [
    rate('atmptf/s', 'TcpAttemptFails'),
    rate('estres/s', 'TcpEstabResets'),
    rate('retrans/s', 'TcpRetransSegs'),
    rate('isegerr/s', 'TcpInErrs'),
    rate('orsts/s', 'TcpOutRsts'),
  ],
  LISTEN: LISTEN_COUNTERS.map((c) => rate(`${c}/s`, `TcpExt${c}`)),
  STATE: TCP_STATES.map((s) => ({ key: s, header: STATE_HEADERS[s], kind: 'level', source: { state: s } })),
};

/** One view's values for an interval: key → value, null when this kernel lacks the counter. */
export type SarRow = Record<string, number | null>;

/** The value of a column at the end of an interval. */
export function columnValue(c: SarColumn, iv: CounterInterval): number | null {
  const s = c.source;
  if ('rate' in s) return iv.rates[s.rate] ?? null;
  if ('state' in s) return iv.sample.states?.[s.state] ?? null;
  return iv.sample.sockstat[s.sockstat[0]]?.[s.sockstat[1]] ?? null;
}

/** A view's row for one interval. */
export function sarRow(view: SarView, iv: CounterInterval): SarRow {
  const row: SarRow = {};
  for (const c of SAR_COLUMNS[view]) row[c.key] = columnValue(c, iv);
  return row;
}

/** Accumulates intervals for the "Average:" line without keeping them. */
export class SarAverager {
  private readonly sums = new Map<SarColumn, { sum: number; weight: number }>();
  /** Intervals added. */
  count = 0;
  /** Seconds covered. */
  seconds = 0;

  /** Adds an interval. */
  add(iv: CounterInterval): void {
    this.count++;
    this.seconds += iv.seconds;
    for (const view of SAR_VIEWS) {
      for (const c of SAR_COLUMNS[view]) {
        const v = columnValue(c, iv);
        if (v === null) continue;
        const acc = this.sums.get(c) ?? { sum: 0, weight: 0 };
        // Rates: total increase over total time; levels: the mean of the readings.
        const w = c.kind === 'rate' ? iv.seconds : 1;
        acc.sum += v * w;
        acc.weight += w;
        this.sums.set(c, acc);
      }
    }
  }

  /** The average row of a view (null where no interval had the column). */
  row(view: SarView): SarRow {
    const row: SarRow = {};
    for (const c of SAR_COLUMNS[view]) {
      const acc = this.sums.get(c);
      row[c.key] = acc && acc.weight > 0 ? acc.sum / acc.weight : null;
    }
    return row;
  }
}
