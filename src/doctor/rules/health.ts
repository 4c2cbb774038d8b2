/**
 * half-open: ESTABLISHED with unacknowledged data and a retransmit timer that keeps backing off, or
 * keepalive probes unanswered: the peer is gone (warning). Long-idle ESTABLISHED without keepalive
 * is only info: a peer that vanished without a FIN ("fake ESTABLISHED") cannot be told from a quiet
 * pool until data or a probe is sent.
 * tcp-memory: memory pressure and orphans at the kernel's limits (critical), TIME_WAIT overflowing
 * tcp_max_tw_buckets (warning).
 * retransmits and resets: rates over the window relative to the segments and the connections.
 */
import type { Socket } from '../../tcp/socket.js';
import {
  byPid,
  finding,
  holderText,
  increase,
  infoField,
  num,
  portsOf,
  rate,
  sysctlNumber,
  topPeers,
  topProcesses,
} from '../evidence.js';
import type { DoctorInput, Explainer, Finding, Rule, Severity } from '../types.js';
import { tr } from './_text.js';

/** The retransmit timer fired at least twice for data the peer never acknowledged (backing off). */
function backingOff(s: Socket): boolean {
  const backoff = Math.max(
    s.timer?.kind === 'retransmit' ? s.timer.retransmits : 0,
    infoField(s, 'backoff') ?? 0,
  );
  return backoff >= 2 && (s.sendQ > 0 || (infoField(s, 'unacked') ?? 0) > 0);
}

/** Keepalive probes sent and not answered (over netlink a keepalive timer's count is the probe count). */
function probesUnanswered(s: Socket): boolean {
  return (s.timer?.kind === 'keepalive' && s.timer.retransmits >= 1) || (infoField(s, 'probes') ?? 0) >= 1;
}

export const halfOpen: Rule = {
  id: 'half-open',
  run(input, explain) {
    const established = input.snapshot.sockets.filter((s) => s.state === 'ESTABLISHED');
    const out: Finding[] = [];
    const gone = established.filter((s) => backingOff(s) || probesUnanswered(s));
    if (gone.length >= input.config['half-open.warning']) {
      const proc = topProcesses(gone, 1)[0];
      const probing = gone.filter(probesUnanswered).length;
      out.push(
        finding(input, explain, {
          rule: 'half-open',
          severity: 'warning',
          title: tr(
            input,
            `${gone.length} ESTABLISHED of ${holderText(input, proc, gone)} whose peers do not answer (${gone.length - probing} retransmitting with backoff, ${probing} keepalive probes unanswered)`,
            `${holderText(input, proc, gone)} 的 ${gone.length} 个 ESTABLISHED 对端不再应答（${gone.length - probing} 个在退避重传，${probing} 个 keepalive 探测无回应）`,
          ),
          states: ['ESTABLISHED'],
          evidence: {
            basis: ['retransmitting'],
            count: gone.length,
            ports: portsOf(input, gone),
            processes: topProcesses(gone),
            peers: topPeers(gone),
            keepaliveUnanswered: probing,
          },
          commands: ['tcpscope ls -i -s established --sort peer', 'tcpscope count --by peer -s established'],
        }),
      );
    }
    out.push(...idle(input, explain, established));
    return out;
  },
};

/** Long-idle ESTABLISHED without keepalive, per process and port: info, with the keepalive remedy. */
function idle(input: DoctorInput, explain: Explainer, established: Socket[]): Finding[] {
  const idleSeconds = input.config['half-open.idleSeconds'];
  const quiet = established.filter(
    (s) =>
      s.timer?.kind !== 'keepalive' &&
      (infoField(s, 'last_data_recv') ?? 0) >= idleSeconds * 1000 &&
      (infoField(s, 'last_data_sent') ?? 0) >= idleSeconds * 1000,
  );
  return [...byPid(quiet)].map(([pid, list]) => {
    const proc = topProcesses(list, 1)[0];
    const port = portsOf(input, list, 1)[0]!.port;
    return finding(input, explain, {
      rule: 'half-open',
      severity: 'info',
      title: tr(
        input,
        `${list.length} ESTABLISHED of ${holderText(input, proc, list)} on :${port} silent over ${num(idleSeconds)} s without keepalive: a peer gone without a FIN would never be noticed (SO_KEEPALIVE)`,
        `${holderText(input, proc, list)} 在 :${port} 的 ${list.length} 个 ESTABLISHED 已静默超过 ${num(idleSeconds)} 秒且未开 keepalive：对端不发 FIN 就消失时永远不会被发现（SO_KEEPALIVE）`,
      ),
      states: ['ESTABLISHED'],
      evidence: {
        basis: ['idle'],
        count: list.length,
        ports: portsOf(input, list),
        processes: topProcesses(list),
        peers: topPeers(list),
        idleSeconds,
      },
      commands: [`tcpscope ls -i -s established${pid ? ` --pid ${pid}` : ''}`, 'tcpscope explain half-open'],
    });
  });
}

export const tcpMemory: Rule = {
  id: 'tcp-memory',
  run(input, explain) {
    const out: Finding[] = [];
    const tcp = input.sockstat['TCP'] ?? {};
    const mem = input.sysctls['net.ipv4.tcp_mem'];
    const pages = tcp['mem'];
    const push = (
      severity: Severity,
      title: string,
      evidence: Record<string, unknown>,
      basis: 'limit' | 'counter',
    ) =>
      out.push(
        finding(input, explain, {
          rule: 'tcp-memory',
          severity,
          title,
          states: ['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'LAST_ACK', 'CLOSING'],
          evidence: { basis: [basis], ...evidence },
          commands: [
            'tcpscope counters TcpExtTCPMemory* TcpExtTCPAbort* TcpExtTCPTimeWaitOverflow',
            'cat /proc/net/sockstat',
          ],
        }),
      );
    if (
      Array.isArray(mem) &&
      mem.length === 3 &&
      pages !== undefined &&
      pages >= mem[1]! * input.config['tcp-memory.pressureRatioWarning']
    ) {
      push(
        pages >= mem[2]! ? 'critical' : 'warning',
        tr(
          input,
          `TCP memory ${num(pages)} pages is past the pressure mark ${num(mem[1]!)} (tcp_mem ${mem.join(' ')})`,
          `TCP 内存 ${num(pages)} 页已超过压力线 ${num(mem[1]!)}（tcp_mem ${mem.join(' ')}）`,
        ),
        { memPages: pages, tcp_mem: mem },
        'limit',
      );
    }
    const maxOrphans = sysctlNumber(input, 'net.ipv4.tcp_max_orphans');
    const orphans = tcp['orphan'] ?? 0;
    if (maxOrphans && orphans >= maxOrphans * input.config['fin-wait-pileup.orphansRatioWarning']) {
      push(
        orphans >= maxOrphans * input.config['fin-wait-pileup.orphansRatioCritical'] ? 'critical' : 'warning',
        tr(
          input,
          `${num(orphans)} orphaned sockets of at most ${num(maxOrphans)} (tcp_max_orphans): past it the kernel kills them`,
          `${num(orphans)} 个孤儿套接字，上限 ${num(maxOrphans)}（tcp_max_orphans）：超过后内核直接销毁`,
        ),
        { orphans, tcp_max_orphans: maxOrphans },
        'limit',
      );
    }
    if (!input.interval) return out;
    const rising = (name: string) => increase(input, name);
    if (rising('TcpExtTCPMemoryPressures') > 0 || rising('TcpExtTCPAbortOnMemory') > 0) {
      push(
        'critical',
        tr(
          input,
          `TCP memory pressure: entered ${num(rising('TcpExtTCPMemoryPressures'))} time(s), ${num(rising('TcpExtTCPAbortOnMemory'))} connection(s) aborted for memory over the window`,
          `TCP 内存压力：观察期内进入 ${num(rising('TcpExtTCPMemoryPressures'))} 次，${num(rising('TcpExtTCPAbortOnMemory'))} 个连接因内存被中止`,
        ),
        {
          TcpExtTCPMemoryPressures: rising('TcpExtTCPMemoryPressures'),
          TcpExtTCPAbortOnMemory: rising('TcpExtTCPAbortOnMemory'),
        },
        'counter',
      );
    }
    const overflow = rising('TcpExtTCPTimeWaitOverflow');
    if (overflow > 0) {
      const buckets = sysctlNumber(input, 'net.ipv4.tcp_max_tw_buckets');
      push(
        'warning',
        tr(
          input,
          `TIME_WAIT table full: ${num(overflow)} closing connection(s) skipped TIME_WAIT over the window (limit tcp_max_tw_buckets ${buckets ?? '?'})`,
          `TIME_WAIT 表已满：观察期内 ${num(overflow)} 个关闭的连接跳过了 TIME_WAIT（上限 tcp_max_tw_buckets ${buckets ?? '?'}）`,
        ),
        { TcpExtTCPTimeWaitOverflow: overflow, tcp_max_tw_buckets: buckets },
        'counter',
      );
    }
    return out;
  },
};

export const retransmits: Rule = {
  id: 'retransmits',
  needsWindow: 'needs the window: retransmissions are a rate against the segments sent',
  run(input, explain) {
    const c = input.config;
    const out = rate(input, 'TcpOutSegs');
    // RetransSegs counts tail-loss probes too (TCPLossProbes): a probe is no loss.
    const probes = rate(input, 'TcpExtTCPLossProbes');
    const re = Math.max(0, rate(input, 'TcpRetransSegs') - probes);
    if (out < c['retransmits.minSegmentsPerSecond'] || re / out < c['retransmits.ratioWarning']) return [];
    const worst = input.snapshot.sockets
      .filter((s) => (infoField(s, 'total_retrans') ?? 0) > 0)
      .sort((a, b) => (infoField(b, 'total_retrans') ?? 0) - (infoField(a, 'total_retrans') ?? 0))
      .slice(0, 5)
      .map((s) => ({ local: s.local, remote: s.remote, total_retrans: infoField(s, 'total_retrans') }));
    const pct = ((100 * re) / out).toFixed(1);
    return [
      finding(input, explain, {
        rule: 'retransmits',
        severity: re / out >= c['retransmits.ratioCritical'] ? 'critical' : 'warning',
        title: tr(
          input,
          `${pct}% of segments retransmitted (${num(re)}/s of ${num(out)}/s, tail-loss probes left out)`,
          `${pct}% 的报文段被重传（${num(re)}/s，共 ${num(out)}/s，不含尾部丢失探测）`,
        ),
        states: ['ESTABLISHED'],
        evidence: {
          basis: ['counter'],
          'TcpRetransSegs/s': rate(input, 'TcpRetransSegs'),
          'TcpExtTCPLossProbes/s': probes,
          'TcpOutSegs/s': out,
          'TcpExtTCPTimeouts/s': rate(input, 'TcpExtTCPTimeouts'),
          connections: worst,
        },
        commands: ['tcpscope stat -n ETCP 1 10', 'tcpscope ls -i --sort peer'],
      }),
    ];
  },
};

export const resets: Rule = {
  id: 'resets',
  needsWindow: 'needs the window: resets are a rate against the connections opened',
  run(input, explain) {
    const c = input.config;
    const estab = rate(input, 'TcpEstabResets');
    const outRsts = rate(input, 'TcpOutRsts');
    const opens = rate(input, 'TcpActiveOpens') + rate(input, 'TcpPassiveOpens');
    const fails = rate(input, 'TcpAttemptFails');
    // Established connections reset: a share of those opened (a busy host opens many).
    const estabHigh =
      estab >= c['resets.estabResetsPerSecond'] && estab >= c['resets.estabResetsRatio'] * Math.max(opens, 1);
    const rstHigh =
      outRsts >= c['resets.outRstsPerSecond'] &&
      outRsts >= c['resets.outRstsRatio'] * Math.max(rate(input, 'TcpInSegs'), 1);
    if (!estabHigh && !rstHigh) return [];
    // On one host, refused connects count once as AttemptFails (the client) and once as OutRsts (the answer).
    const refused = fails >= outRsts / 2;
    const because = refused
      ? tr(
          input,
          ` mostly answering connects to closed ports (${num(fails)} failed connects/s: see connect-failures)`,
          `，多为对无人监听端口的连接的回应（每秒 ${num(fails)} 个连接失败：见 connect-failures）`,
        )
      : '';
    return [
      finding(input, explain, {
        rule: 'resets',
        // RSTs that only answer refused connects are connect-failures' finding; said here as context.
        severity: refused && !estabHigh ? 'info' : 'warning',
        title: tr(
          input,
          `resets out of the ordinary: ${num(estab)} established connections reset/s of ${num(opens)} opened/s, ${num(outRsts)} RST sent/s${because}`,
          `复位异常：每秒 ${num(estab)} 个已建立连接被复位（每秒新建 ${num(opens)} 个），发送 ${num(outRsts)} 个 RST${because}`,
        ),
        states: ['ESTABLISHED', 'CLOSE'],
        evidence: {
          basis: ['counter'],
          'TcpEstabResets/s': estab,
          'TcpOutRsts/s': outRsts,
          'TcpActiveOpens/s': rate(input, 'TcpActiveOpens'),
          'TcpPassiveOpens/s': rate(input, 'TcpPassiveOpens'),
          'TcpAttemptFails/s': fails,
          'TcpExtTCPAbortOnData/s': rate(input, 'TcpExtTCPAbortOnData'),
          'TcpExtTCPAbortOnClose/s': rate(input, 'TcpExtTCPAbortOnClose'),
          answersToClosedPorts: refused,
        },
        commands: ['tcpscope stat -n ETCP 1 10', 'tcpscope counters TcpExtTCPAbort*'],
      }),
    ];
  },
};
