/**
 * time-wait-pressure: TIME_WAIT is normal (the end that closes first keeps it 60 s); it matters only
 * near tcp_max_tw_buckets (past it the kernel skips TIME_WAIT: TCPTimeWaitOverflow). Whether new
 * connections still get a port is port-exhaustion's question.
 * fin-wait-pileup: our FIN retransmitted or stuck behind a zero window (FIN_WAIT1), or FIN_WAIT1 and
 * FIN_WAIT2 that stay for the whole window; a FIN_WAIT2 seen once is a healthy half-close.
 * last-ack-pileup: our FIN retransmitted to peers that went silent after closing, or LAST_ACK that
 * stays; those waiting on a zero window (persist timer) are said so.
 */
import { isLoopback } from '../../net/ip.js';
import type { Socket } from '../../tcp/socket.js';
import {
  finding,
  holderText,
  listeningPorts,
  num,
  portRange,
  portsOf,
  sysctlNumber,
  topPeers,
  topPorts,
  topProcesses,
  topServices,
} from '../evidence.js';
import type { DoctorInput, Explainer, Finding, Rule } from '../types.js';
import { stayed } from '../window.js';
import { tr } from './_text.js';

export const timeWaitPressure: Rule = {
  id: 'time-wait-pressure',
  run(input, explain) {
    const c = input.config;
    const tw = input.snapshot.sockets.filter((s) => s.state === 'TIME_WAIT');
    if (tw.length === 0) return [];
    const buckets = sysctlNumber(input, 'net.ipv4.tcp_max_tw_buckets') ?? 262144;
    const ratio = tw.length / buckets;
    const near = ratio >= c['time-wait-pressure.bucketsRatioWarning'];
    if (!near && tw.length < c['time-wait-pressure.info']) return restarted(input, explain, tw);
    const servicePorts = listeningPorts(input);
    const asServer = tw.filter((s) => servicePorts.has(s.local.port)).length;
    const outgoing = tw.filter((s) => !servicePorts.has(s.local.port));
    const reuse = sysctlNumber(input, 'net.ipv4.tcp_tw_reuse') ?? 2;
    const reusable = outgoing.filter(
      (s) => reuse === 1 || (reuse === 2 && isLoopback(s.remote.address)),
    ).length;
    const closer =
      asServer >= tw.length / 2
        ? tr(
            input,
            `this host closes first as a server (${num(asServer)} on its listening ports)`,
            `本机作为服务端先关闭（${num(asServer)} 个在监听端口上）`,
          )
        : tr(
            input,
            `this host closes first as a client (${num(outgoing.length)} outgoing, ${num(reusable)} reusable by connect() with tcp_tw_reuse=${reuse})`,
            `本机作为客户端先关闭（${num(outgoing.length)} 个出站，其中 ${num(reusable)} 个在 tcp_tw_reuse=${reuse} 下可被 connect() 复用）`,
          );
    return [
      finding(input, explain, {
        rule: 'time-wait-pressure',
        severity: near ? 'warning' : 'info',
        title: near
          ? tr(
              input,
              `${num(tw.length)} TIME_WAIT, ${Math.round(ratio * 100)}% of tcp_max_tw_buckets ${num(buckets)}: past it the kernel skips TIME_WAIT; ${closer}`,
              `${num(tw.length)} 个 TIME_WAIT，已达 tcp_max_tw_buckets ${num(buckets)} 的 ${Math.round(ratio * 100)}%：超过后内核不再保留 TIME_WAIT；${closer}`,
            )
          : tr(
              input,
              `${num(tw.length)} TIME_WAIT (normal: the end that closes first keeps each 60 s); ${closer}`,
              `${num(tw.length)} 个 TIME_WAIT（正常：先关闭的一端保留 60 秒）；${closer}`,
            ),
        states: ['TIME_WAIT'],
        evidence: {
          basis: ['limit'],
          count: tw.length,
          ports: portsOf(input, tw),
          peers: topPeers(tw),
          services: topServices(outgoing),
          tcp_max_tw_buckets: buckets,
          activeCloser: asServer >= tw.length / 2 ? 'server' : 'client',
          tcp_tw_reuse: reuse,
          reusableByConnect: reusable,
        },
        commands: ['tcpscope count --by peer -s time-wait', 'tcpscope count --by port -s time-wait'],
      }),
    ];
  },
};

/**
 * TIME_WAIT on a service port (below the ephemeral range) that nothing listens on: a server that
 * closed first has stopped or restarted. Harmless, but a restart whose bind() lacks SO_REUSEADDR
 * fails with EADDRINUSE until they expire (60 s).
 */
function restarted(input: DoctorInput, explain: Explainer, tw: Socket[]): Finding[] {
  const { low } = portRange(input);
  const listening = listeningPorts(input);
  const orphaned = tw.filter((s) => s.local.port < low && !listening.has(s.local.port));
  if (orphaned.length === 0) return [];
  const ports = topPorts(orphaned);
  const list = ports.map((p) => `:${p.port}`).join(', ');
  return [
    finding(input, explain, {
      rule: 'time-wait-pressure',
      severity: 'info',
      title: tr(
        input,
        `${orphaned.length} TIME_WAIT on ${list} where nothing listens: a server closed first and stopped; a restart without SO_REUSEADDR gets EADDRINUSE for up to 60 s`,
        `${list} 上有 ${orphaned.length} 个 TIME_WAIT 但无人监听：服务端先关闭后已停止；不设 SO_REUSEADDR 的重启在 60 秒内会遇到 EADDRINUSE`,
      ),
      states: ['TIME_WAIT'],
      evidence: { basis: ['limit'], count: orphaned.length, ports, peers: topPeers(orphaned) },
      commands: ['tcpscope explain eaddrinuse', `tcpscope ls -s time-wait --sport ${ports[0]!.port}`],
    }),
  ];
}

/** Our FIN (or the data before it) sent again: the retransmit timer fired at least once. */
const retransmitting = (s: Socket): boolean => s.timer?.kind === 'retransmit' && s.timer.retransmits >= 1;
/** Stuck behind the peer's zero window: the persist timer probed at least once. */
const persisting = (s: Socket): boolean => s.timer?.kind === 'probe' && s.timer.retransmits >= 1;

export const finWaitPileup: Rule = {
  id: 'fin-wait-pileup',
  run(input, explain) {
    const c = input.config;
    const w = input.window;
    const out: Finding[] = [];
    const fw1 = input.snapshot.sockets.filter(
      (s) =>
        s.state === 'FIN_WAIT1' && (retransmitting(s) || persisting(s) || (w !== undefined && stayed(w, s))),
    );
    if (fw1.length >= c['fin-wait-pileup.finWait1Warning']) {
      const probing = fw1.filter((s) => s.timer?.kind === 'probe').length;
      const resent = fw1.filter(retransmitting).length;
      const unsent = fw1.reduce((n, s) => n + s.sendQ, 0);
      out.push(
        finding(input, explain, {
          rule: 'fin-wait-pileup',
          severity: 'warning',
          title: tr(
            input,
            `${fw1.length} FIN_WAIT1: our FIN is not acknowledged (${resent} retransmitting it, ${probing} behind a zero window with ${num(unsent)} bytes unsent), held by ${holderText(input, topProcesses(fw1, 1)[0], fw1)}`,
            `${fw1.length} 个 FIN_WAIT1：本端的 FIN 未被确认（${resent} 个在重传，${probing} 个卡在零窗口后，${num(unsent)} 字节未发出），持有者 ${holderText(input, topProcesses(fw1, 1)[0], fw1)}`,
          ),
          states: ['FIN_WAIT1'],
          evidence: {
            basis: [
              ...(resent + probing > 0 ? (['retransmitting'] as const) : []),
              ...(w ? (['stayed'] as const) : []),
            ],
            count: fw1.length,
            ports: portsOf(input, fw1),
            peers: topPeers(fw1),
            processes: topProcesses(fw1),
            retransmittingFin: resent,
            zeroWindowProbing: probing,
            sendQBytes: unsent,
            orphans: fw1.filter((s) => s.inode === 0).length,
          },
          commands: ['tcpscope ls -s fin-wait-1 -o', 'tcpscope count --by peer -s fin-wait-1'],
        }),
      );
    }
    const fw2 = w ? input.snapshot.sockets.filter((s) => s.state === 'FIN_WAIT2' && stayed(w, s)) : [];
    if (w && fw2.length >= c['fin-wait-pileup.finWait2Warning']) {
      const orphans = fw2.filter((s) => s.inode === 0).length;
      const holder = holderText(
        input,
        topProcesses(fw2, 1)[0],
        fw2.filter((s) => s.inode !== 0),
      );
      out.push(
        finding(input, explain, {
          rule: 'fin-wait-pileup',
          severity: 'warning',
          title: tr(
            input,
            `${fw2.length} FIN_WAIT2 stayed ${num(w.seconds)} s: peers that do not close their side (${orphans} orphaned, ${fw2.length - orphans} held by ${holder})`,
            `${fw2.length} 个 FIN_WAIT2 持续 ${num(w.seconds)} 秒：对端迟迟不关闭（${orphans} 个孤儿，${fw2.length - orphans} 个由 ${holder} 持有）`,
          ),
          states: ['FIN_WAIT2'],
          evidence: {
            basis: ['stayed'],
            count: fw2.length,
            ports: portsOf(input, fw2),
            services: topServices(fw2),
            peers: topPeers(fw2),
            processes: topProcesses(fw2),
            orphans,
            tcp_fin_timeout: input.sysctls['net.ipv4.tcp_fin_timeout'],
          },
          commands: ['tcpscope count --by peer -s fin-wait-2', 'tcpscope ls -s fin-wait-2 -p -o'],
        }),
      );
    }
    return out;
  },
};

export const lastAckPileup: Rule = {
  id: 'last-ack-pileup',
  run(input, explain) {
    const w = input.window;
    const la = input.snapshot.sockets.filter(
      (s) =>
        s.state === 'LAST_ACK' && (retransmitting(s) || persisting(s) || (w !== undefined && stayed(w, s))),
    );
    if (la.length < input.config['last-ack-pileup.warning']) return [];
    const resent = la.filter(retransmitting).length;
    const zeroWindow = la.filter((s) => s.timer?.kind === 'probe').length;
    return [
      finding(input, explain, {
        rule: 'last-ack-pileup',
        severity: 'warning',
        title: tr(
          input,
          `${la.length} LAST_ACK: peers went silent after we answered their close (${resent} retransmitting our FIN${zeroWindow ? `, ${zeroWindow} waiting on a peer's zero window (persist timer)` : ''})`,
          `${la.length} 个 LAST_ACK：对端关闭后就没有回应了（${resent} 个在重传 FIN${zeroWindow ? `，${zeroWindow} 个在等对端的零窗口（持续定时器）` : ''}）`,
        ),
        states: ['LAST_ACK'],
        evidence: {
          basis: [
            ...(resent + zeroWindow > 0 ? (['retransmitting'] as const) : []),
            ...(w ? (['stayed'] as const) : []),
          ],
          count: la.length,
          ports: portsOf(input, la),
          peers: topPeers(la),
          retransmittingFin: resent,
          zeroWindowProbing: zeroWindow,
        },
        commands: ['tcpscope count --by peer -s last-ack', 'tcpscope ls -s last-ack -o'],
      }),
    ];
  },
};
