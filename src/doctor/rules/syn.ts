/**
 * syn-flood: many SYN_RECV requests on a listener, or SYN cookies and request-queue drops rising.
 * syn-sent-storm: many SYN_SENT, told apart as one unreachable destination or a scan.
 * Linux answers SYNs beyond the listener's backlog with SYN cookies (tcp_syncookies=1) instead of
 * request sockets (net/ipv4/tcp_input.c tcp_conn_request), so a flood shows in counters too.
 */
import { endpointOf } from '../../net/endpoint.js';
import type { Socket } from '../../tcp/socket.js';
import {
  inStates,
  procText,
  rate,
  sysctlNumber,
  topPeers,
  topProcesses,
  topRemotePorts,
} from '../evidence.js';
import type { DoctorInput, Finding, Rule, Severity } from '../types.js';
import { tr } from './_text.js';

const SYN_COUNTERS = [
  'TcpExtSyncookiesSent',
  'TcpExtSyncookiesFailed',
  'TcpExtTCPReqQFullDrop',
  'TcpExtListenDrops',
];

function groupBy<K>(sockets: readonly Socket[], key: (s: Socket) => K): Map<K, Socket[]> {
  const m = new Map<K, Socket[]>();
  for (const s of sockets) {
    const k = key(s);
    const l = m.get(k);
    if (l) l.push(s);
    else m.set(k, [s]);
  }
  return m;
}

/** The backlog of the listener on a port: netlink gives it (Send-Q); procfs does not, so somaxconn. */
function backlogOf(input: DoctorInput, port: number): number {
  const l = input.snapshot.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
  if (input.snapshot.source === 'netlink' && l && l.sendQ > 0) return l.sendQ;
  return sysctlNumber(input, 'net.core.somaxconn') ?? 4096;
}

export const synFlood: Rule = {
  id: 'syn-flood',
  run(input) {
    const c = input.config;
    const findings: Finding[] = [];
    const rates = Object.fromEntries(SYN_COUNTERS.map((k) => [`${k}/s`, rate(input, k)]));
    const cookiesOrDrops =
      rate(input, 'TcpExtSyncookiesSent') > 0 || rate(input, 'TcpExtTCPReqQFullDrop') > 0;
    const byPort = groupBy(inStates(input, 'SYN_RECV'), (s) => s.local.port);
    for (const [port, reqs] of byPort) {
      const backlog = backlogOf(input, port);
      const warnAt = Math.max(
        8,
        Math.min(c['syn-flood.synRecvWarning'], Math.ceil(c['syn-flood.backlogRatioWarning'] * backlog)),
      );
      if (reqs.length < warnAt) continue;
      const sources = new Set(reqs.map((s) => s.remote.address)).size;
      const severity: Severity = reqs.length >= backlog || cookiesOrDrops ? 'critical' : 'warning';
      const proc = topProcesses(reqs, 1)[0];
      findings.push({
        rule: 'syn-flood',
        severity,
        title: tr(
          input,
          `${reqs.length} half-open handshakes (SYN_RECV) on :${port} of ${procText(proc)} from ${sources} source(s)`,
          `${procText(proc)} 的 :${port} 上有 ${reqs.length} 个半开握手（SYN_RECV），来自 ${sources} 个源地址`,
        ),
        states: ['SYN_RECV'],
        evidence: {
          count: reqs.length,
          ports: [{ port, count: reqs.length }],
          processes: topProcesses(reqs),
          peers: topPeers(reqs),
          distinctSources: sources,
          backlog,
          syncookies: input.sysctls['net.ipv4.tcp_syncookies'],
          tcp_max_syn_backlog: input.sysctls['net.ipv4.tcp_max_syn_backlog'],
          ...rates,
        },
        why: '',
        remedies: [],
        commands: [`tcpscope count --by peer -s syn-recv --port ${port}`, `tcpscope who ${port}`],
      });
    }
    if (findings.length === 0 && cookiesOrDrops) {
      findings.push({
        rule: 'syn-flood',
        severity: 'warning',
        title: tr(
          input,
          'SYN cookies are being sent or SYNs dropped: a listener’s request queue is full',
          '正在发送 SYN cookie 或丢弃 SYN：某个监听的半连接队列已满',
        ),
        states: ['SYN_RECV'],
        evidence: {
          count: inStates(input, 'SYN_RECV').length,
          syncookies: input.sysctls['net.ipv4.tcp_syncookies'],
          ...rates,
        },
        why: '',
        remedies: [],
        commands: [
          'tcpscope counters TcpExtSyncookies* TcpExtListen* TcpExtTCPReqQFullDrop',
          'tcpscope stat -n LISTEN 1 5',
        ],
      });
    }
    return findings;
  },
};

export const synSentStorm: Rule = {
  id: 'syn-sent-storm',
  run(input) {
    const c = input.config;
    const all = inStates(input, 'SYN_SENT');
    if (all.length < c['syn-sent-storm.warning']) return [];
    const byPid = groupBy(all, (s) => s.owners?.[0]?.pid ?? 0);
    const findings: Finding[] = [];
    for (const [pid, list] of byPid) {
      if (list.length < Math.min(c['syn-sent-storm.warning'], all.length)) continue;
      const hosts = new Set(list.map((s) => s.remote.address)).size;
      const ports = new Set(list.map((s) => s.remote.port)).size;
      const scanning =
        hosts >= c['syn-sent-storm.scanDestinations'] || ports >= c['syn-sent-storm.scanDestinations'];
      const proc = pid ? topProcesses(list, 1)[0] : undefined;
      const first = list[0]!.remote;
      const what = scanning
        ? tr(
            input,
            `scanning ${hosts} host(s) on ${ports} port(s): a scanner or a worm?`,
            `在扫描 ${hosts} 个主机的 ${ports} 个端口：扫描器还是蠕虫？`,
          )
        : tr(
            input,
            `${hosts === 1 && ports === 1 ? endpointOf(first) : `${hosts} destination(s)`} unreachable or filtered`,
            `${hosts === 1 && ports === 1 ? endpointOf(first) : `${hosts} 个目的地`}不可达或被过滤`,
          );
      findings.push({
        rule: 'syn-sent-storm',
        severity: scanning || list.length >= c['syn-sent-storm.critical'] ? 'critical' : 'warning',
        title: tr(
          input,
          `${list.length} connects stuck in SYN_SENT by ${procText(proc)}: ${what}`,
          `${procText(proc)} 有 ${list.length} 个连接卡在 SYN_SENT：${what}`,
        ),
        states: ['SYN_SENT'],
        evidence: {
          count: list.length,
          // The destination ports: the local ones of a connect() are ephemeral and say nothing.
          ports: topRemotePorts(list),
          processes: topProcesses(list),
          peers: topPeers(list),
          destinations: hosts,
          destinationPorts: ports,
          pattern: scanning ? 'scan' : 'unreachable',
          'TcpAttemptFails/s': rate(input, 'TcpAttemptFails'),
        },
        why: '',
        remedies: [],
        commands: [
          `tcpscope ls -s syn-sent -p${pid ? ` --pid ${pid}` : ''}`,
          'tcpscope count --by peer -s syn-sent',
        ],
      });
    }
    return findings;
  },
};
