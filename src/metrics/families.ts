/**
 * What `/metrics` says about one sample of a namespace: the families of docs/metrics.md, built from
 * a snapshot with owners, the counters under nstat's names, the previous snapshot (for sockets that
 * stayed), the doctor's findings and, when traced, transitions and failed connects. Label sets are
 * capped (the largest kept, the rest summed under "other") and the cut series counted. Pure.
 */
import { formatEndpoint } from '../net/endpoint.js';
import type { Snapshot, Socket } from '../tcp/socket.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import type { MetricFamily, MetricSample } from './exposition.js';

export interface MetricsCaps {
  /** Listening ports with their own series (`tcpscope_tcp_sockets`); the rest sum under port="other". */
  ports: number;
  /** Processes with their own series (`tcpscope_tcp_sockets_by_process`). */
  processes: number;
  /** Destinations with their own series (`tcpscope_ports_in_use`, `tcpscope_syn_sent_stayed`). */
  destinations: number;
  /** Listeners with their own series (`tcpscope_listen_*`, `tcpscope_listener_info`). */
  listeners: number;
}

export const DEFAULT_CAPS: MetricsCaps = { ports: 50, processes: 20, destinations: 20, listeners: 100 };

/** A doctor finding as far as `/metrics` names it. */
export interface MetricsFinding {
  rule: string;
  severity: string;
  evidence: { ports?: readonly { port: number }[]; processes?: readonly { command: string }[] };
}

export interface ConnectFailureCount {
  process: string;
  destination: string;
  error: string;
  count: number;
}

export interface MetricsInput {
  /** The table now, with owners. */
  snapshot: Snapshot;
  /** The table at the previous sample (owners not needed): sockets in it and now "stayed". */
  previous?: Snapshot;
  /** Absolute counters under nstat's names (`TcpActiveOpens`, `TcpExtListenOverflows`). */
  counters: Readonly<Record<string, number>>;
  /** net.ipv4.ip_local_port_range. */
  ephemeral?: readonly [number, number];
  findings?: readonly MetricsFinding[];
  /** Transitions counted since start, by `FROM TO` (kernel state names), when tracing. */
  transitions?: ReadonlyMap<string, number>;
  /** Failed connects counted since start, when tracing. */
  connectFailures?: readonly ConnectFailureCount[];
  tracefs: boolean;
  /** pid → executable path, for `tcpscope_listener_info`. */
  exes?: ReadonlyMap<number, string>;
  /** Seconds the sample took to take. */
  sampleSeconds?: number;
  version: string;
  caps?: Partial<MetricsCaps>;
  /** Series cut by the caps, by family, counted across samples: the caller keeps it and it is added to. */
  dropped?: Map<string, number>;
}

/** node_exporter's label value of a state: `close_wait`. */
export function stateLabel(s: TcpState): string {
  return s.toLowerCase();
}

/** The Tcp fields that are levels or settings, not counters. */
const TCP_GAUGES = new Set(['RtoAlgorithm', 'RtoMin', 'RtoMax', 'MaxConn', 'CurrEstab']);

/** The counters node_exporter's netstat collector exports by default, under its names. */
export const NODE_NETSTAT: readonly (readonly [string, string])[] = [
  ['Tcp', 'CurrEstab'],
  ['Tcp', 'ActiveOpens'],
  ['Tcp', 'PassiveOpens'],
  ['Tcp', 'RetransSegs'],
  ['Tcp', 'OutSegs'],
  ['Tcp', 'InSegs'],
  ['Tcp', 'AttemptFails'],
  ['Tcp', 'EstabResets'],
  ['Tcp', 'OutRsts'],
  ['TcpExt', 'ListenOverflows'],
  ['TcpExt', 'ListenDrops'],
  ['TcpExt', 'SyncookiesSent'],
  ['TcpExt', 'SyncookiesFailed'],
  ['TcpExt', 'TCPTimeouts'],
  ['TcpExt', 'TCPSynRetrans'],
];

function processOf(s: Socket): string {
  return s.owners?.[0]?.command ?? s.attribution?.command ?? '-';
}

/** The socket's identity between samples: an owned socket by inode, others by 4-tuple. */
function identity(s: Socket): string {
  return s.inode !== 0
    ? `i${s.inode}`
    : `${s.family} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}

/** Keeps the `cap` largest keys of `counts`; the rest are summed under `other` and counted as dropped. */
function capped<K>(
  counts: Map<K, number>,
  cap: number,
  other: K,
  family: string,
  dropped: Map<string, number> | undefined,
): Map<K, number> {
  if (counts.size <= cap) return counts;
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  const kept = new Map(sorted.slice(0, cap));
  let rest = 0;
  for (const [, n] of sorted.slice(cap)) rest += n;
  kept.set(other, (kept.get(other) ?? 0) + rest);
  dropped?.set(family, (dropped.get(family) ?? 0) + sorted.length - cap);
  return kept;
}

function gauge(name: string, help: string, samples: MetricSample[] = []): MetricFamily {
  return { name, type: 'gauge', help, samples };
}

/** Every family of docs/metrics.md for one sample, in that order. */
export function metricFamilies(input: MetricsInput): MetricFamily[] {
  const caps = { ...DEFAULT_CAPS, ...input.caps };
  const { snapshot, dropped } = input;
  const sockets = snapshot.sockets;
  const families: MetricFamily[] = [];

  // Per state, node_exporter's tcpstat.
  const perState = new Map<TcpState, number>(TCP_STATES.map((s) => [s, 0]));
  for (const s of sockets) perState.set(s.state, (perState.get(s.state) ?? 0) + 1);
  families.push(
    gauge(
      'node_tcp_connection_states',
      'Number of TCP sockets per state (node_exporter tcpstat names).',
      TCP_STATES.map((s) => ({ labels: { state: stateLabel(s) }, value: perState.get(s) ?? 0 })),
    ),
  );

  // node_exporter's netstat names for the common counters.
  for (const [group, field] of NODE_NETSTAT) {
    const v = input.counters[`${group}${field}`];
    families.push({
      name: `node_netstat_${group}_${field}`,
      type: 'untyped',
      help: `Statistic ${group}${field} (node_exporter netstat names).`,
      samples: v === undefined ? [] : [{ value: v }],
    });
  }

  // Every Tcp and TcpExt counter.
  const netstat: MetricSample[] = [];
  for (const [name, value] of Object.entries(input.counters)) {
    let group: string;
    let field: string;
    if (name.startsWith('TcpExt')) [group, field] = ['TcpExt', name.slice(6)];
    else if (name.startsWith('Tcp') && !name.startsWith('Tcp6')) [group, field] = ['Tcp', name.slice(3)];
    else continue;
    if (group === 'Tcp' && TCP_GAUGES.has(field)) continue;
    netstat.push({ labels: { group, name: field }, value });
  }
  families.push({
    name: 'tcpscope_netstat_total',
    type: 'counter',
    help: 'Every counter of the Tcp and TcpExt tables (/proc/net/snmp, /proc/net/netstat).',
    samples: netstat,
  });

  // Sockets per state on each listening port.
  const listening = new Set<number>();
  for (const s of sockets) if (s.state === 'LISTEN') listening.add(s.local.port);
  const byPort = new Map<number, Map<TcpState, number>>();
  const portTotals = new Map<number | 'other', number>();
  for (const s of sockets) {
    if (!listening.has(s.local.port)) continue;
    let m = byPort.get(s.local.port);
    if (!m) {
      m = new Map();
      byPort.set(s.local.port, m);
    }
    m.set(s.state, (m.get(s.state) ?? 0) + 1);
    portTotals.set(s.local.port, (portTotals.get(s.local.port) ?? 0) + 1);
  }
  const keptPorts = capped(portTotals, caps.ports, 'other', 'tcpscope_tcp_sockets', dropped);
  const portSamples: MetricSample[] = [];
  const otherPort = new Map<TcpState, number>();
  for (const [port, m] of byPort) {
    const own = keptPorts.has(port);
    for (const [state, n] of m) {
      if (own) portSamples.push({ labels: { state: stateLabel(state), port: String(port) }, value: n });
      else otherPort.set(state, (otherPort.get(state) ?? 0) + n);
    }
  }
  for (const [state, n] of otherPort)
    portSamples.push({ labels: { state: stateLabel(state), port: 'other' }, value: n });
  families.push(
    gauge('tcpscope_tcp_sockets', 'Sockets per state whose local port is a listening port.', portSamples),
  );

  // Sockets per state and process, the largest processes.
  const byProc = new Map<string, Map<TcpState, number>>();
  const procTotals = new Map<string, number>();
  for (const s of sockets) {
    const p = processOf(s);
    let m = byProc.get(p);
    if (!m) {
      m = new Map();
      byProc.set(p, m);
    }
    m.set(s.state, (m.get(s.state) ?? 0) + 1);
    procTotals.set(p, (procTotals.get(p) ?? 0) + 1);
  }
  const keptProcs = capped(procTotals, caps.processes, 'other', 'tcpscope_tcp_sockets_by_process', dropped);
  const procSamples: MetricSample[] = [];
  const otherProc = new Map<TcpState, number>();
  for (const [proc, m] of byProc) {
    const own = keptProcs.has(proc) && proc !== 'other';
    for (const [state, n] of m) {
      if (own) procSamples.push({ labels: { state: stateLabel(state), process: proc }, value: n });
      else otherProc.set(state, (otherProc.get(state) ?? 0) + n);
    }
  }
  for (const [state, n] of otherProc)
    procSamples.push({ labels: { state: stateLabel(state), process: 'other' }, value: n });
  families.push(
    gauge(
      'tcpscope_tcp_sockets_by_process',
      'Sockets per state and process ("-": no process holds them, e.g. TIME_WAIT).',
      procSamples,
    ),
  );

  // Listeners: queue, backlog, request sockets, and who listens.
  const listeners = sockets.filter((s) => s.state === 'LISTEN');
  if (listeners.length > caps.listeners) {
    listeners.sort((a, b) => b.recvQ - a.recvQ || a.local.port - b.local.port);
    dropped?.set(
      'tcpscope_listen_queue',
      (dropped.get('tcpscope_listen_queue') ?? 0) + listeners.length - caps.listeners,
    );
    listeners.length = caps.listeners;
  }
  const queue: MetricSample[] = [];
  const backlog: MetricSample[] = [];
  const info: MetricSample[] = [];
  const infoSeen = new Set<string>();
  for (const l of listeners) {
    const labels = {
      port: String(l.local.port),
      address: formatEndpoint(l.local.address, l.local.port),
      process: processOf(l),
    };
    queue.push({ labels, value: l.recvQ });
    backlog.push({ labels, value: l.sendQ });
    const pid = l.owners?.[0]?.pid;
    const exe = (pid !== undefined ? input.exes?.get(pid) : undefined) ?? '';
    const key = `${labels.address} ${labels.process} ${exe}`;
    if (infoSeen.has(key)) continue;
    infoSeen.add(key);
    info.push({ labels: { ...labels, exe }, value: 1 });
  }
  families.push(
    gauge(
      'tcpscope_listen_queue',
      "A listener's accept queue now: connections not yet accepted (ss Recv-Q).",
      queue,
    ),
  );
  families.push(
    gauge('tcpscope_listen_backlog', "A listener's backlog, the accept queue's limit (ss Send-Q).", backlog),
  );
  const synRecv = new Map<number, number>();
  const synRetried = new Map<number, number>();
  for (const s of sockets)
    if (s.state === 'SYN_RECV' && listening.has(s.local.port)) {
      synRecv.set(s.local.port, (synRecv.get(s.local.port) ?? 0) + 1);
      if ((s.timer?.retransmits ?? 0) >= 1)
        synRetried.set(s.local.port, (synRetried.get(s.local.port) ?? 0) + 1);
    }
  families.push(
    gauge(
      'tcpscope_listen_syn_recv',
      'Request sockets (SYN_RECV) on a listening port: handshakes not completed.',
      [...synRecv].map(([port, n]) => ({ labels: { port: String(port) }, value: n })),
    ),
  );
  families.push(
    gauge(
      'tcpscope_listen_syn_recv_retried',
      'Request sockets on a listening port whose SYN+ACK was sent again: the final ACK never came (netlink only).',
      [...synRetried].map(([port, n]) => ({ labels: { port: String(port) }, value: n })),
    ),
  );
  families.push(gauge('tcpscope_listener_info', 'One series per listening socket and program: 1.', info));

  // Local ports in use per destination, against the ephemeral range.
  const perDest = new Map<string, number>();
  for (const s of sockets) {
    if (s.state === 'LISTEN' || s.state === 'CLOSE' || s.remote.port === 0) continue;
    if (listening.has(s.local.port)) continue; // the server's end: its port is the listener's
    if (input.ephemeral && (s.local.port < input.ephemeral[0] || s.local.port > input.ephemeral[1])) continue;
    const d = formatEndpoint(s.remote.address, s.remote.port);
    perDest.set(d, (perDest.get(d) ?? 0) + 1);
  }
  const keptDest = [...perDest].sort((a, b) => b[1] - a[1]);
  if (keptDest.length > caps.destinations) {
    dropped?.set(
      'tcpscope_ports_in_use',
      (dropped.get('tcpscope_ports_in_use') ?? 0) + keptDest.length - caps.destinations,
    );
    keptDest.length = caps.destinations;
  }
  families.push(
    gauge(
      'tcpscope_ports_in_use',
      'Local ports of the ephemeral range in use (any state but LISTEN, TIME_WAIT included) towards one destination.',
      keptDest.map(([destination, n]) => ({ labels: { destination }, value: n })),
    ),
  );
  families.push(
    gauge(
      'tcpscope_ephemeral_ports',
      'Size of net.ipv4.ip_local_port_range: ports a client has per destination.',
      input.ephemeral ? [{ value: input.ephemeral[1] - input.ephemeral[0] + 1 }] : [],
    ),
  );

  // Sockets that stayed in CLOSE_WAIT or SYN_SENT since the previous sample.
  const before = new Set<string>();
  if (input.previous)
    for (const s of input.previous.sockets)
      if (s.state === 'CLOSE_WAIT' || s.state === 'SYN_SENT') before.add(`${s.state} ${identity(s)}`);
  const cwStayed = new Map<string, { port: string; process: string; n: number }>();
  const ssStayed = new Map<string, { process: string; destination: string; n: number }>();
  if (input.previous)
    for (const s of sockets) {
      if (s.state !== 'CLOSE_WAIT' && s.state !== 'SYN_SENT') continue;
      if (!before.has(`${s.state} ${identity(s)}`)) continue;
      const process = processOf(s);
      if (s.state === 'CLOSE_WAIT') {
        const port = String(s.local.port);
        const k = `${port} ${process}`;
        const e = cwStayed.get(k) ?? { port, process, n: 0 };
        e.n++;
        cwStayed.set(k, e);
      } else {
        const destination = formatEndpoint(s.remote.address, s.remote.port);
        const k = `${process} ${destination}`;
        const e = ssStayed.get(k) ?? { process, destination, n: 0 };
        e.n++;
        ssStayed.set(k, e);
      }
    }
  families.push(
    gauge(
      'tcpscope_close_wait_stayed',
      'Sockets in CLOSE_WAIT now that were in CLOSE_WAIT at the previous sample too: the peer closed and the program did not.',
      [...cwStayed.values()]
        .sort((a, b) => b.n - a.n)
        .slice(0, caps.processes)
        .map((e) => ({ labels: { port: e.port, process: e.process }, value: e.n })),
    ),
  );
  families.push(
    gauge(
      'tcpscope_syn_sent_stayed',
      'Sockets in SYN_SENT now that were in SYN_SENT at the previous sample too: connects the peer does not answer.',
      [...ssStayed.values()]
        .sort((a, b) => b.n - a.n)
        .slice(0, caps.destinations)
        .map((e) => ({ labels: { process: e.process, destination: e.destination }, value: e.n })),
    ),
  );

  families.push({
    name: 'tcpscope_connect_failures_total',
    type: 'counter',
    help: 'Failed connect() calls the kernel reported (tracefs), by process, destination and error.',
    samples: (input.connectFailures ?? []).map((f) => ({
      labels: { process: f.process, destination: f.destination, error: f.error },
      value: f.count,
    })),
  });
  families.push({
    name: 'tcpscope_tcp_transitions_total',
    type: 'counter',
    help: 'TCP state transitions the kernel traced (sock/inet_sock_set_state).',
    samples: [...(input.transitions ?? [])].map(([key, n]) => {
      const [from, to] = key.split(' ') as [TcpState, TcpState];
      return { labels: { from: stateLabel(from), to: stateLabel(to) }, value: n };
    }),
  });

  // One series per port a finding names (the first five), with its process when it names one alone.
  const findings = new Map<string, { rule: string; severity: string; port: string; process: string }>();
  for (const f of input.findings ?? []) {
    const procs = f.evidence.processes ?? [];
    const process = procs.length === 1 ? procs[0]!.command : '';
    const ports = (f.evidence.ports ?? []).slice(0, 5).map((p) => String(p.port));
    for (const port of ports.length > 0 ? ports : ['']) {
      const e = { rule: f.rule, severity: f.severity, port, process };
      findings.set(`${e.rule} ${e.severity} ${e.port} ${e.process}`, e);
    }
  }
  families.push(
    gauge(
      'tcpscope_finding',
      "The doctor's findings now: 1 per rule, severity and port it names (up to five), with the process when it names one alone.",
      [...findings.values()].map((labels) => ({ labels, value: 1 })),
    ),
  );

  // The contract's name, and the name the agent first used, for the same value.
  const took = input.sampleSeconds === undefined ? [] : [{ value: input.sampleSeconds }];
  families.push(
    gauge(
      'tcpscope_scrape_duration_seconds',
      'Seconds the last sample took to read (table, owners, counters, findings); a scrape serves it without reading.',
      took,
    ),
  );
  families.push(
    gauge(
      'tcpscope_sample_duration_seconds',
      'Seconds the last sample took (table, owners, counters, findings); the same as tcpscope_scrape_duration_seconds.',
      took,
    ),
  );
  families.push({
    name: 'tcpscope_series_dropped_total',
    type: 'counter',
    help: 'Series left out by the caps, by family (raise --max-ports, --max-processes, --max-destinations).',
    samples: [...(dropped ?? [])].map(([family, n]) => ({ labels: { family }, value: n })),
  });
  families.push(
    gauge('tcpscope_build_info', "tcpscope's version.", [{ labels: { version: input.version }, value: 1 }]),
  );
  families.push(
    gauge(
      'tcpscope_tracefs_available',
      'Whether transitions and connect failures are traced (1) or not (0).',
      [{ value: input.tracefs ? 1 : 0 }],
    ),
  );
  return families;
}
