/**
 * half-open: ESTABLISHED connections silent for long with no keepalive timer (a peer that vanished
 * without FIN is never noticed by an idle socket). Needs tcp_info (netlink).
 * tcp-memory: memory pressure, orphans and TIME_WAIT overflow against the kernel's limits.
 * retransmits and resets: rates over the window out of the ordinary.
 */
import { endpointOf } from '../../net/endpoint.js';
import { infoOf, inStates, rate, sysctlNumber, topPeers, topPorts, topProcesses } from '../evidence.js';
import type { Finding, Rule } from '../types.js';
import { tr } from './_text.js';

export const halfOpen: Rule = {
  id: 'half-open',
  run(input) {
    const idleMs = input.config['half-open.idleSeconds'] * 1000;
    const idle = inStates(input, 'ESTABLISHED').filter((s) => {
      const info = infoOf(s);
      if (!info || s.timer?.kind === 'keepalive') return false;
      return (info['last_data_recv'] ?? 0) >= idleMs && (info['last_data_sent'] ?? 0) >= idleMs;
    });
    if (idle.length < input.config['half-open.warning']) return [];
    return [
      {
        rule: 'half-open',
        severity: 'warning',
        title: tr(
          input,
          `${idle.length} ESTABLISHED idle over ${input.config['half-open.idleSeconds']} s without keepalive: peers may be gone`,
          `${idle.length} 个 ESTABLISHED 空闲超过 ${input.config['half-open.idleSeconds']} 秒且未开 keepalive：对端可能早已消失`,
        ),
        states: ['ESTABLISHED'],
        evidence: {
          count: idle.length,
          ports: topPorts(idle),
          processes: topProcesses(idle),
          peers: topPeers(idle),
          'TcpEstabResets/s': rate(input, 'TcpEstabResets'),
        },
        why: '',
        remedies: [],
        commands: ['tcpscope ls -i -s established --sort peer', 'tcpscope count --by peer -s established'],
      },
    ];
  },
};

export const tcpMemory: Rule = {
  id: 'tcp-memory',
  run(input) {
    const out: Finding[] = [];
    const tcp = input.sockstat['TCP'] ?? {};
    const mem = input.sysctls['net.ipv4.tcp_mem'];
    const pages = tcp['mem'];
    if (
      Array.isArray(mem) &&
      mem.length === 3 &&
      pages !== undefined &&
      pages >= mem[1]! * input.config['tcp-memory.pressureRatioWarning']
    ) {
      out.push(
        memFinding(
          input,
          pages >= mem[2]! ? 'critical' : 'warning',
          tr(
            input,
            `TCP memory ${pages} pages is past the pressure mark ${mem[1]} (tcp_mem ${mem.join(' ')})`,
            `TCP 内存 ${pages} 页已超过压力线 ${mem[1]}（tcp_mem ${mem.join(' ')}）`,
          ),
          { memPages: pages, tcp_mem: mem },
        ),
      );
    }
    const maxOrphans = sysctlNumber(input, 'net.ipv4.tcp_max_orphans');
    const orphans = tcp['orphan'] ?? 0;
    if (maxOrphans && orphans >= maxOrphans * input.config['fin-wait-pileup.orphansRatioWarning']) {
      out.push(
        memFinding(
          input,
          orphans >= maxOrphans * input.config['fin-wait-pileup.orphansRatioCritical']
            ? 'critical'
            : 'warning',
          tr(
            input,
            `${orphans} orphaned sockets of at most ${maxOrphans}`,
            `${orphans} 个孤儿套接字，上限 ${maxOrphans}`,
          ),
          { orphans, tcp_max_orphans: maxOrphans },
        ),
      );
    }
    for (const [counter, sev] of [
      ['TcpExtTCPMemoryPressures', 'warning'],
      ['TcpExtTCPAbortOnMemory', 'critical'],
      ['TcpExtTCPTimeWaitOverflow', 'critical'],
    ] as const) {
      const r = rate(input, counter);
      if (r > 0)
        out.push(
          memFinding(
            input,
            sev,
            tr(input, `${counter} rising (${r.toFixed(2)}/s)`, `${counter} 在增长（${r.toFixed(2)}/s）`),
            { [`${counter}/s`]: r },
          ),
        );
    }
    return out;
  },
};

function memFinding(
  input: Parameters<Rule['run']>[0],
  severity: Finding['severity'],
  title: string,
  evidence: Finding['evidence'],
): Finding {
  void input;
  return {
    rule: 'tcp-memory',
    severity,
    title,
    states: ['FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'LAST_ACK', 'CLOSING'],
    evidence,
    why: '',
    remedies: [],
    commands: ['tcpscope counters TcpExtTCPMemory* TcpExtTCPAbort*', 'cat /proc/net/sockstat'],
  };
}

export const retransmits: Rule = {
  id: 'retransmits',
  needsWindow: true,
  run(input) {
    const c = input.config;
    const out = rate(input, 'TcpOutSegs');
    const re = rate(input, 'TcpRetransSegs');
    if (out < c['retransmits.minSegmentsPerSecond'] || re / out < c['retransmits.ratioWarning']) return [];
    const worst = input.snapshot.sockets
      .filter((s) => (infoOf(s)?.['total_retrans'] ?? 0) > 0)
      .sort((a, b) => infoOf(b)!['total_retrans']! - infoOf(a)!['total_retrans']!)
      .slice(0, 5)
      .map((s) => ({
        local: endpointOf(s.local),
        peer: endpointOf(s.remote),
        total_retrans: infoOf(s)!['total_retrans'],
      }));
    const pct = ((100 * re) / out).toFixed(1);
    return [
      {
        rule: 'retransmits',
        severity: re / out >= c['retransmits.ratioCritical'] ? 'critical' : 'warning',
        title: tr(
          input,
          `${pct}% of segments retransmitted (${re.toFixed(1)}/s of ${out.toFixed(1)}/s)`,
          `${pct}% 的报文段被重传（${re.toFixed(1)}/s，共 ${out.toFixed(1)}/s）`,
        ),
        states: ['ESTABLISHED'],
        evidence: {
          'TcpRetransSegs/s': re,
          'TcpOutSegs/s': out,
          'TcpExtTCPTimeouts/s': rate(input, 'TcpExtTCPTimeouts'),
          connections: worst,
        },
        why: '',
        remedies: [],
        commands: ['tcpscope stat -n ETCP 1 10', 'tcpscope ls -i --sort peer'],
      },
    ];
  },
};

export const resets: Rule = {
  id: 'resets',
  needsWindow: true,
  run(input) {
    const c = input.config;
    const estab = rate(input, 'TcpEstabResets');
    const outRsts = rate(input, 'TcpOutRsts');
    if (estab < c['resets.estabResetsPerSecond'] && outRsts < c['resets.outRstsPerSecond']) return [];
    return [
      {
        rule: 'resets',
        severity: 'warning',
        title: tr(
          input,
          `resets out of the ordinary: ${estab.toFixed(1)} established connections reset/s, ${outRsts.toFixed(1)} RST sent/s`,
          `复位异常：每秒 ${estab.toFixed(1)} 个已建立连接被复位，发送 ${outRsts.toFixed(1)} 个 RST`,
        ),
        states: ['ESTABLISHED', 'CLOSE'],
        evidence: {
          'TcpEstabResets/s': estab,
          'TcpOutRsts/s': outRsts,
          'TcpAttemptFails/s': rate(input, 'TcpAttemptFails'),
          'TcpExtTCPAbortOnData/s': rate(input, 'TcpExtTCPAbortOnData'),
          'TcpExtTCPAbortOnClose/s': rate(input, 'TcpExtTCPAbortOnClose'),
        },
        why: '',
        remedies: [],
        commands: ['tcpscope stat -n ETCP 1 10', 'tcpscope counters TcpExtTCPAbort*'],
      },
    ];
  },
};
