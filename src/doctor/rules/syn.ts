/**
 * syn-flood: handshakes that do not complete on a listener: SYN_RECV whose SYN+ACK was sent again
 * (or that stayed for the window), against the listener's own backlog. SYN cookies and
 * TCPReqQFullDrop are per namespace, never per listener: they are context, not blame.
 * syn-sent-storm: connects that do not complete: SYN_SENT whose SYN was sent again or that stayed;
 * "scan" only when many distinct destinations fail that way. First tries to a pool of backends,
 * however many, are no evidence.
 * Linux answers SYNs beyond the backlog with SYN cookies (tcp_syncookies=1) instead of request
 * sockets (net/ipv4/tcp_input.c tcp_conn_request), so a flood shows in counters too.
 */
import type { Socket } from '../../tcp/socket.js';
import {
  byPid,
  endpoint,
  finding,
  holderText,
  increase,
  num,
  sysctlNumber,
  topPeers,
  topProcesses,
  topRemotePorts,
  topServices,
} from '../evidence.js';
import type { DoctorInput, Finding, Rule, Severity } from '../types.js';
import { stayed } from '../window.js';
import { tr } from './_text.js';

/** The namespace's SYN counters over the window (absolute increases): context for every port. */
function synContext(input: DoctorInput): Record<string, number> {
  if (!input.interval) return {};
  return Object.fromEntries(
    ['TcpExtSyncookiesSent', 'TcpExtTCPReqQFullDrop', 'TcpExtListenDrops', 'TcpPassiveOpens'].map((k) => [
      k,
      increase(input, k),
    ]),
  );
}

/** The backlog of the listener on a port: netlink gives it (Send-Q); procfs does not (undefined). */
function backlogOf(input: DoctorInput, port: number): number | undefined {
  const l = input.snapshot.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
  return input.snapshot.source === 'netlink' && l && l.sendQ > 0 ? l.sendQ : undefined;
}

/** The handshake is being retried: the SYN or SYN+ACK was sent at least once more. */
const retried = (s: Socket): boolean => (s.timer?.retransmits ?? 0) >= 1;

function groupByPort(sockets: readonly Socket[]): Map<number, Socket[]> {
  const m = new Map<number, Socket[]>();
  for (const s of sockets) {
    const l = m.get(s.local.port);
    if (l) l.push(s);
    else m.set(s.local.port, [s]);
  }
  return m;
}

export const synFlood: Rule = {
  id: 'syn-flood',
  run(input, explain) {
    const c = input.config;
    const context = synContext(input);
    const findings: Finding[] = [];
    const stuck = input.snapshot.sockets.filter((s) => s.state === 'SYN_RECV' && retried(s));
    for (const [port, reqs] of groupByPort(stuck)) {
      const backlog = backlogOf(input, port);
      const limit = backlog ?? sysctlNumber(input, 'net.core.somaxconn') ?? 4096;
      const warnAt = Math.max(
        8,
        Math.min(c['syn-flood.synRecvWarning'], Math.ceil(c['syn-flood.backlogRatioWarning'] * limit)),
      );
      if (reqs.length < warnAt) continue;
      const sources = new Set(reqs.map((s) => s.remote.address)).size;
      // The listener's own queue full (requests beyond its backlog) is critical; the host's cookies are not its blame.
      const severity: Severity = backlog !== undefined && reqs.length >= backlog ? 'critical' : 'warning';
      const proc = topProcesses(reqs, 1)[0];
      findings.push(
        finding(input, explain, {
          rule: 'syn-flood',
          severity,
          title: tr(
            input,
            `${reqs.length} handshakes not completing (SYN_RECV, SYN+ACK sent again) on :${port} of ${holderText(input, proc, reqs)}, from ${sources} source(s), backlog ${backlog ?? 'unknown (procfs)'}`,
            `${holderText(input, proc, reqs)} 的 :${port} 上有 ${reqs.length} 个握手未完成（SYN_RECV，SYN+ACK 已重发），来自 ${sources} 个源地址，backlog ${backlog ?? '未知（procfs）'}`,
          ),
          states: ['SYN_RECV'],
          evidence: {
            basis: ['retransmitting', ...(input.interval ? (['counter'] as const) : [])],
            count: reqs.length,
            ports: [{ port, count: reqs.length }],
            processes: topProcesses(reqs),
            peers: topPeers(reqs),
            distinctSources: sources,
            backlog: backlog ?? null,
            syncookies: input.sysctls['net.ipv4.tcp_syncookies'],
            tcp_max_syn_backlog: input.sysctls['net.ipv4.tcp_max_syn_backlog'],
            namespace: context,
          },
          commands: [`tcpscope count --by peer -s syn-recv --port ${port}`, `tcpscope who ${port}`],
        }),
      );
    }
    const cookies = (context['TcpExtSyncookiesSent'] ?? 0) + (context['TcpExtTCPReqQFullDrop'] ?? 0);
    if (findings.length === 0 && cookies > 0) {
      findings.push(
        finding(input, explain, {
          rule: 'syn-flood',
          severity: 'warning',
          title: tr(
            input,
            `SYN cookies sent or SYNs dropped in this namespace (${num(cookies)} over the window): some listener’s request queue was full`,
            `本命名空间在发送 SYN cookie 或丢弃 SYN（观察期内 ${num(cookies)} 次）：某个监听的半连接队列曾满`,
          ),
          states: ['SYN_RECV'],
          evidence: {
            basis: ['counter'],
            count: input.snapshot.sockets.filter((s) => s.state === 'SYN_RECV').length,
            syncookies: input.sysctls['net.ipv4.tcp_syncookies'],
            namespace: context,
          },
          commands: [
            'tcpscope counters TcpExtSyncookies* TcpExtListen* TcpExtTCPReqQFullDrop',
            'tcpscope stat -n LISTEN 1 5',
          ],
        }),
      );
    }
    return findings;
  },
};

export const synSentStorm: Rule = {
  id: 'syn-sent-storm',
  run(input, explain) {
    const c = input.config;
    const w = input.window;
    const failing = input.snapshot.sockets.filter(
      (s) => s.state === 'SYN_SENT' && (retried(s) || (w !== undefined && stayed(w, s))),
    );
    const findings: Finding[] = [];
    for (const [pid, list] of byPid(failing)) {
      if (list.length < c['syn-sent-storm.warning']) continue;
      const hosts = new Set(list.map((s) => s.remote.address)).size;
      const ports = new Set(list.map((s) => s.remote.port)).size;
      const destinations = new Set(list.map((s) => `${s.remote.address} ${s.remote.port}`)).size;
      const scanning = destinations >= c['syn-sent-storm.scanDestinations'];
      const proc = pid ? topProcesses(list, 1)[0] : undefined;
      const service = topServices(list, 1)[0]!;
      const what = scanning
        ? tr(
            input,
            `${destinations} distinct destinations (${hosts} host(s), ${ports} port(s)) unanswered: a scanner or a worm?`,
            `${destinations} 个不同目的地（${hosts} 个主机、${ports} 个端口）无应答：扫描器还是蠕虫？`,
          )
        : tr(
            input,
            `${destinations === 1 ? `${endpoint(service)}` : `${destinations} destinations`} unreachable or filtered`,
            `${destinations === 1 ? endpoint(service) : `${destinations} 个目的地`}不可达或被过滤`,
          );
      findings.push(
        finding(input, explain, {
          rule: 'syn-sent-storm',
          severity: scanning || list.length >= c['syn-sent-storm.critical'] ? 'critical' : 'warning',
          title: tr(
            input,
            `${list.length} connects of ${holderText(input, proc, list)} unanswered in SYN_SENT (SYN sent again or stayed): ${what}`,
            `${holderText(input, proc, list)} 有 ${list.length} 个连接卡在 SYN_SENT（SYN 已重发或一直未完成）：${what}`,
          ),
          states: ['SYN_SENT'],
          evidence: {
            basis: [
              ...(list.some(retried) ? (['retransmitting'] as const) : []),
              ...(w ? (['stayed'] as const) : []),
            ],
            count: list.length,
            // The destination ports: the local ones of a connect() are ephemeral and say nothing.
            ports: topRemotePorts(list),
            services: topServices(list),
            processes: topProcesses(list),
            peers: topPeers(list),
            destinations,
            pattern: scanning ? 'scan' : 'unreachable',
            ...(input.interval ? { TcpAttemptFails: increase(input, 'TcpAttemptFails') } : {}),
          },
          commands: [
            `tcpscope ls -s syn-sent -p${pid ? ` --pid ${pid}` : ''}`,
            'tcpscope count --by peer -s syn-sent',
          ],
        }),
      );
    }
    return findings;
  },
};
