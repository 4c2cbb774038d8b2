/**
 * time-wait-pressure: TIME_WAIT against tcp_max_tw_buckets, and per (local address, peer, peer
 * port) against the ephemeral port range (a client cannot reuse a 4-tuple in TIME_WAIT; without
 * tcp_tw_reuse it runs out of ports). Which end closes first decides where TIME_WAIT lands.
 * fin-wait-pileup: our FIN unacknowledged (FIN_WAIT1) or peers that never close (FIN_WAIT2).
 * last-ack-pileup: peers that vanished after we answered their close.
 */
import { endpointOf } from '../../net/endpoint.js';
import type { Socket } from '../../tcp/socket.js';
import {
  ephemeralPorts,
  inStates,
  listeningPorts,
  procText,
  sysctlNumber,
  topPeers,
  topPorts,
  topProcesses,
} from '../evidence.js';
import type { Finding, Rule, Severity } from '../types.js';
import { tr } from './_text.js';

function level(value: number, warning: number, critical: number): Severity | undefined {
  return value >= critical ? 'critical' : value >= warning ? 'warning' : undefined;
}

export const timeWaitPressure: Rule = {
  id: 'time-wait-pressure',
  run(input) {
    const c = input.config;
    const tw = inStates(input, 'TIME_WAIT');
    if (tw.length === 0) return [];
    const buckets = sysctlNumber(input, 'net.ipv4.tcp_max_tw_buckets') ?? 262144;
    const range = ephemeralPorts(input);
    const groups = new Map<string, Socket[]>();
    const servicePorts = listeningPorts(input);
    for (const s of tw) {
      if (servicePorts.has(s.local.port)) continue; // server side: the 4-tuple's client port is the peer's
      const k = `${s.local.address} ${s.remote.address} ${s.remote.port}`;
      const l = groups.get(k);
      if (l) l.push(s);
      else groups.set(k, [s]);
    }
    const worst = [...groups.values()].sort((a, b) => b.length - a.length)[0] ?? [];
    const severity =
      [
        level(
          tw.length / buckets,
          c['time-wait-pressure.bucketsRatioWarning'],
          c['time-wait-pressure.bucketsRatioCritical'],
        ),
        level(
          worst.length / range,
          c['time-wait-pressure.portsRatioWarning'],
          c['time-wait-pressure.portsRatioCritical'],
        ),
      ].sort((a, b) => rank(b) - rank(a))[0] ??
      (tw.length >= c['time-wait-pressure.info'] ? 'info' : undefined);
    if (!severity) return restarted(input, tw);
    const asServer = tw.filter((s) => servicePorts.has(s.local.port)).length;
    const closer =
      asServer >= tw.length / 2
        ? tr(
            input,
            `this host closes first as a server (${asServer} on its listening ports)`,
            `本机作为服务端先关闭（${asServer} 个在监听端口上）`,
          )
        : tr(
            input,
            `this host closes first as a client (${tw.length - asServer} outgoing)`,
            `本机作为客户端先关闭（${tw.length - asServer} 个出站连接）`,
          );
    const top = worst[0];
    return [
      {
        rule: 'time-wait-pressure',
        severity,
        title: tr(
          input,
          `${tw.length} TIME_WAIT (limit ${buckets}); ${closer}`,
          `${tw.length} 个 TIME_WAIT（上限 ${buckets}）；${closer}`,
        ),
        states: ['TIME_WAIT'],
        evidence: {
          count: tw.length,
          ports: topPorts(tw),
          peers: topPeers(tw),
          tcp_max_tw_buckets: buckets,
          ephemeralPorts: range,
          busiestDestination: top
            ? {
                local: top.local.address,
                peer: endpointOf(top.remote),
                count: worst.length,
              }
            : undefined,
          activeCloser: asServer >= tw.length / 2 ? 'server' : 'client',
          tcp_tw_reuse: input.sysctls['net.ipv4.tcp_tw_reuse'],
        },
        why: '',
        remedies: [],
        commands: ['tcpscope count --by peer -s time-wait', 'tcpscope count --by port -s time-wait'],
      },
    ];
  },
};

/**
 * TIME_WAIT on a service port (below the ephemeral range) that nothing listens on: a server that
 * closed first has stopped or restarted. Harmless, but a restart whose bind() lacks SO_REUSEADDR
 * fails with EADDRINUSE until they expire (60 s).
 */
function restarted(input: Parameters<Rule['run']>[0], tw: Socket[]): Finding[] {
  const range = input.sysctls['net.ipv4.ip_local_port_range'];
  const low = Array.isArray(range) ? range[0]! : 32768;
  const listening = listeningPorts(input);
  const orphaned = tw.filter((s) => s.local.port < low && !listening.has(s.local.port));
  if (orphaned.length === 0) return [];
  const ports = topPorts(orphaned);
  const list = ports.map((p) => `:${p.port}`).join(', ');
  return [
    {
      rule: 'time-wait-pressure',
      severity: 'info',
      title: tr(
        input,
        `${orphaned.length} TIME_WAIT on ${list} where nothing listens: a server closed first and stopped; a restart without SO_REUSEADDR gets EADDRINUSE for up to 60 s`,
        `${list} 上有 ${orphaned.length} 个 TIME_WAIT 但无人监听：服务端先关闭后已停止；不设 SO_REUSEADDR 的重启在 60 秒内会遇到 EADDRINUSE`,
      ),
      states: ['TIME_WAIT'],
      evidence: { count: orphaned.length, ports, peers: topPeers(orphaned) },
      why: '',
      remedies: [],
      commands: ['tcpscope explain eaddrinuse', `tcpscope ls -s time-wait --sport ${ports[0]!.port}`],
    },
  ];
}

function rank(s: Severity | undefined): number {
  return s === 'critical' ? 2 : s === 'warning' ? 1 : 0;
}

export const finWaitPileup: Rule = {
  id: 'fin-wait-pileup',
  run(input) {
    const c = input.config;
    const out: Finding[] = [];
    const fw1 = inStates(input, 'FIN_WAIT1');
    if (fw1.length >= c['fin-wait-pileup.finWait1Warning']) {
      const probing = fw1.filter((s) => s.timer?.kind === 'probe').length;
      const unsent = fw1.reduce((n, s) => n + s.sendQ, 0);
      out.push({
        rule: 'fin-wait-pileup',
        severity: 'warning',
        title: tr(
          input,
          `${fw1.length} FIN_WAIT1: our FIN is not acknowledged (${probing} behind a zero window, ${unsent} bytes unsent)`,
          `${fw1.length} 个 FIN_WAIT1：本端的 FIN 未被确认（${probing} 个卡在零窗口后，${unsent} 字节未发出）`,
        ),
        states: ['FIN_WAIT1'],
        evidence: {
          count: fw1.length,
          ports: topPorts(fw1),
          peers: topPeers(fw1),
          processes: topProcesses(fw1),
          zeroWindowProbing: probing,
          sendQBytes: unsent,
          orphans: fw1.filter((s) => s.inode === 0).length,
        },
        why: '',
        remedies: [],
        commands: ['tcpscope ls -s fin-wait-1 -o', 'tcpscope count --by peer -s fin-wait-1'],
      });
    }
    const fw2 = inStates(input, 'FIN_WAIT2');
    if (fw2.length >= c['fin-wait-pileup.finWait2Warning']) {
      const orphans = fw2.filter((s) => s.inode === 0).length;
      out.push({
        rule: 'fin-wait-pileup',
        severity: 'warning',
        title: tr(
          input,
          `${fw2.length} FIN_WAIT2: peers that do not close their side (${orphans} orphaned, ${fw2.length - orphans} held by ${procText(topProcesses(fw2, 1)[0])})`,
          `${fw2.length} 个 FIN_WAIT2：对端迟迟不关闭（${orphans} 个孤儿）`,
        ),
        states: ['FIN_WAIT2'],
        evidence: {
          count: fw2.length,
          ports: topPorts(fw2),
          peers: topPeers(fw2),
          processes: topProcesses(fw2),
          orphans,
          tcp_fin_timeout: input.sysctls['net.ipv4.tcp_fin_timeout'],
        },
        why: '',
        remedies: [],
        commands: ['tcpscope count --by peer -s fin-wait-2', 'tcpscope ls -s fin-wait-2 -p -o'],
      });
    }
    return out;
  },
};

export const lastAckPileup: Rule = {
  id: 'last-ack-pileup',
  run(input) {
    const la = inStates(input, 'LAST_ACK');
    if (la.length < input.config['last-ack-pileup.warning']) return [];
    const retrying = la.filter((s) => (s.timer?.retransmits ?? 0) > 0).length;
    return [
      {
        rule: 'last-ack-pileup',
        severity: 'warning',
        title: tr(
          input,
          `${la.length} LAST_ACK: peers went silent after we answered their close (${retrying} retransmitting our FIN)`,
          `${la.length} 个 LAST_ACK：对端关闭后就没有回应了（${retrying} 个在重传 FIN）`,
        ),
        states: ['LAST_ACK'],
        evidence: { count: la.length, ports: topPorts(la), peers: topPeers(la), retransmittingFin: retrying },
        why: '',
        remedies: [],
        commands: ['tcpscope count --by peer -s last-ack', 'tcpscope ls -s last-ack -o'],
      },
    ];
  },
};
