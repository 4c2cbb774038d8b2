/**
 * port-exhaustion: connect() failing with EADDRNOTAVAIL ("Cannot assign requested address"): no
 * local port is left for a destination. Seen by the kernel's reports (tracefs: the failed connect's
 * SYN_SENT→CLOSE with sport 0, connect() returning -99), or from a snapshot as the ports in use
 * towards one destination (same local address, remote address and port) near the size of
 * ip_local_port_range. TIME_WAIT that connect() may reuse (tcp_tw_reuse: 1 for all, 2 for loopback)
 * does not count as in use.
 */
import { isLoopback } from '../../net/ip.js';
import type { Socket } from '../../tcp/socket.js';
import { endpoint, finding, holderText, num, portRange, sysctlNumber, topProcesses } from '../evidence.js';
import type { DoctorInput, Finding, Rule } from '../types.js';
import { tr } from './_text.js';

function groups(input: DoctorInput, low: number, high: number): Map<string, Socket[]> {
  const m = new Map<string, Socket[]>();
  for (const s of input.snapshot.sockets) {
    if (s.state === 'LISTEN' || s.state === 'SYN_RECV' || s.local.port < low || s.local.port > high) continue;
    if (s.remote.port === 0) continue;
    const k = `${s.local.address} ${s.remote.address} ${s.remote.port}`;
    const l = m.get(k);
    if (l) l.push(s);
    else m.set(k, [s]);
  }
  return m;
}

export const portExhaustion: Rule = {
  id: 'port-exhaustion',
  run(input, explain) {
    const c = input.config;
    const range = portRange(input);
    const reuse = sysctlNumber(input, 'net.ipv4.tcp_tw_reuse') ?? 2;
    const out: Finding[] = [];
    const failed = (input.connects?.failures ?? []).filter((f) => f.error === 'EADDRNOTAVAIL');
    const inUse = groups(input, range.low, range.high);
    for (const f of failed) {
      const ports = [...inUse]
        .filter(([k]) => k.endsWith(` ${f.address} ${f.port}`))
        .reduce((n, [, l]) => n + l.length, 0);
      out.push(
        finding(input, explain, {
          rule: 'port-exhaustion',
          severity: 'critical',
          title: tr(
            input,
            `${f.command}[${f.pid}] gets EADDRNOTAVAIL (no local port left) connecting to ${endpoint(f)}: ${num(f.count)} failed connects; ${num(ports)} ports in use towards it, range ${range.low}-${range.high} (${num(range.size)})`,
            `${f.command}[${f.pid}] 连接 ${endpoint(f)} 时得到 EADDRNOTAVAIL（本地端口耗尽）：${num(f.count)} 次失败；指向它的端口占用 ${num(ports)} 个，范围 ${range.low}-${range.high}（${num(range.size)} 个）`,
          ),
          states: ['SYN_SENT', 'CLOSE'],
          evidence: {
            basis: ['kernel-error'],
            count: f.count,
            error: 'EADDRNOTAVAIL',
            ports: [{ port: f.port, count: ports }],
            processes: [{ pid: f.pid, command: f.command, count: f.count }],
            peers: [{ address: f.address, count: ports }],
            destination: { address: f.address, port: f.port },
            portsInUse: ports,
            ip_local_port_range: [range.low, range.high],
            tcp_tw_reuse: reuse,
          },
          commands: [
            `tcpscope count --by process --dport ${f.port}`,
            'sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse',
          ],
        }),
      );
    }
    if (out.length > 0) return out;
    for (const list of inUse.values()) {
      const tw = list.filter((s) => s.state === 'TIME_WAIT');
      const reusable = tw.filter((s) => reuse === 1 || (reuse === 2 && isLoopback(s.remote.address))).length;
      const used = list.length - reusable;
      const ratio = used / range.size;
      if (ratio < c['port-exhaustion.ratioWarning']) continue;
      const dest = list[0]!.remote;
      const holders = list.filter((s) => s.state !== 'TIME_WAIT');
      const proc = topProcesses(holders, 1)[0];
      out.push(
        finding(input, explain, {
          rule: 'port-exhaustion',
          severity: ratio >= c['port-exhaustion.ratioCritical'] ? 'critical' : 'warning',
          title: tr(
            input,
            `${holderText(input, proc, holders)} uses ${num(used)} of ${num(range.size)} local ports (${range.low}-${range.high}) towards ${endpoint(dest)}: its next connects fail with EADDRNOTAVAIL`,
            `${holderText(input, proc, holders)} 指向 ${endpoint(dest)} 的本地端口已用 ${num(used)} 个，共 ${num(range.size)} 个（${range.low}-${range.high}）：之后的连接会因 EADDRNOTAVAIL 失败`,
          ),
          states: [...new Set(list.map((s) => s.state))],
          evidence: {
            basis: ['limit'],
            count: used,
            error: 'EADDRNOTAVAIL',
            ports: [{ port: dest.port, count: used }],
            processes: topProcesses(holders),
            peers: [{ address: dest.address, count: used }],
            destination: { address: dest.address, port: dest.port },
            localAddress: list[0]!.local.address,
            portsInUse: used,
            timeWait: tw.length,
            timeWaitReusable: reusable,
            ip_local_port_range: [range.low, range.high],
            tcp_tw_reuse: reuse,
          },
          commands: [
            `tcpscope count --by process --dport ${dest.port}`,
            'sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse',
          ],
        }),
      );
    }
    return out;
  },
};
