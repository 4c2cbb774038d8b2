/**
 * accept-queue: listeners whose own queue was seen full (Recv-Q above Send-Q: Linux admits backlog
 * + 1) in a snapshot of the window, or that stayed at least half full. ListenOverflows and
 * ListenDrops are per namespace: they are context (absolute increase and rate), never blame.
 * recv-queue: data the program does not read, staying or growing over the whole window.
 * send-queue: data the peer does not read (zero-window probe timer), staying over the whole window.
 */
import type { Socket } from '../../tcp/socket.js';
import {
  byPid,
  finding,
  holderText,
  increase,
  num,
  portsOf,
  rate,
  sysctlNumber,
  topPeers,
  topProcesses,
  topServices,
} from '../evidence.js';
import type { DoctorInput, Finding, Rule } from '../types.js';
import { historyOf } from '../window.js';
import { tr } from './_text.js';

function overflowContext(input: DoctorInput): Record<string, number> {
  if (!input.interval) return {};
  return {
    TcpExtListenOverflows: increase(input, 'TcpExtListenOverflows'),
    TcpExtListenDrops: increase(input, 'TcpExtListenDrops'),
    'TcpExtListenOverflows/s': rate(input, 'TcpExtListenOverflows'),
  };
}

export const acceptQueue: Rule = {
  id: 'accept-queue',
  run(input, explain) {
    const netlink = input.snapshot.source === 'netlink';
    const somaxconn = sysctlNumber(input, 'net.core.somaxconn') ?? 4096;
    const context = overflowContext(input);
    const out: Finding[] = [];
    for (const l of input.snapshot.sockets) {
      if (l.state !== 'LISTEN') continue;
      const backlog = netlink && l.sendQ > 0 ? l.sendQ : undefined;
      const h = input.window ? historyOf(input.window, l) : undefined;
      const series = h ? h.recvQ : [l.recvQ];
      const peak = Math.max(...series, l.recvQ);
      // Full: above the backlog (netlink), or above somaxconn, which caps every backlog (procfs).
      const full = backlog !== undefined ? peak > backlog : peak > somaxconn;
      const half = (backlog ?? somaxconn) * input.config['accept-queue.ratioWarning'];
      const filling = h?.recvQ.every((q) => q > 0 && q >= half);
      if (!full && !filling) continue;
      const proc = topProcesses([l], 1)[0];
      const limit =
        backlog !== undefined
          ? tr(input, `backlog ${backlog}`, `backlog ${backlog}`)
          : tr(input, 'backlog unknown on procfs', 'procfs 下 backlog 未知');
      out.push(
        finding(input, explain, {
          rule: 'accept-queue',
          severity: full ? 'critical' : 'warning',
          title: tr(
            input,
            `accept queue of ${holderText(input, proc, [l])} on :${l.local.port} ${full ? 'was full' : 'stayed over half full'}: ${peak} waiting (${limit})`,
            `${holderText(input, proc, [l])} 在 :${l.local.port} 的全连接队列${full ? '已满' : '一直超过一半'}：${peak} 个等待 accept（${limit}）`,
          ),
          states: ['LISTEN'],
          evidence: {
            basis: ['queue'],
            count: peak,
            ports: [{ port: l.local.port, count: peak }],
            processes: proc ? [{ ...proc, count: peak }] : [],
            backlog: backlog ?? null,
            somaxconn,
            recvQPerSnapshot: series,
            namespace: context,
          },
          commands: [`tcpscope who ${l.local.port}`, 'tcpscope stat -n LISTEN 1 5'],
        }),
      );
    }
    const overflows = context['TcpExtListenOverflows'] ?? 0;
    if (out.length === 0 && overflows > 0) {
      out.push(
        finding(input, explain, {
          rule: 'accept-queue',
          severity: 'warning',
          title: tr(
            input,
            `ListenOverflows rose by ${num(overflows)} in this namespace, but no listener was seen full: a burst between snapshots`,
            `本命名空间的 ListenOverflows 增加了 ${num(overflows)}，但没有看到哪个监听的队列已满：快照之间的突发`,
          ),
          states: ['LISTEN'],
          evidence: { basis: ['counter'], namespace: context },
          commands: ['tcpscope ls -l -p', 'tcpscope stat -n LISTEN 1 5'],
        }),
      );
    }
    return out;
  },
};

export const recvQueue: Rule = {
  id: 'recv-queue',
  needsWindow: 'needs the window: only a Recv-Q that stays or grows is unread data',
  run(input, explain) {
    const w = input.window;
    if (!w) return [];
    const min = input.config['recv-queue.bytes'];
    const stuck = input.snapshot.sockets.filter((s) => {
      if ((s.state !== 'ESTABLISHED' && s.state !== 'CLOSE_WAIT') || s.recvQ < min || s.inode === 0)
        return false;
      const h = historyOf(w, s);
      return h?.recvQ.every((q) => q >= min) && s.recvQ >= h.recvQ[0]!;
    });
    return [...byPid(stuck)].map(([pid, l]) => {
      const proc = topProcesses(l, 1)[0];
      const bytes = l.reduce((n, s) => n + s.recvQ, 0);
      return finding(input, explain, {
        rule: 'recv-queue',
        severity: 'warning',
        title: tr(
          input,
          `${holderText(input, proc, l)} leaves ${num(bytes)} bytes unread on ${l.length} connection(s), stayed or grew for ${num(w.seconds)} s`,
          `${holderText(input, proc, l)} 有 ${l.length} 个连接共 ${num(bytes)} 字节未读取，${num(w.seconds)} 秒内未减少`,
        ),
        states: [...new Set(l.map((s) => s.state))],
        evidence: {
          basis: ['stayed', 'queue'],
          count: l.length,
          ports: portsOf(input, l),
          processes: topProcesses(l),
          peers: topPeers(l),
          recvQBytes: bytes,
        },
        commands: [`tcpscope ls -p --sort recvq --reverse${pid ? ` --pid ${pid}` : ''}`],
      });
    });
  },
};

export const sendQueue: Rule = {
  id: 'send-queue',
  needsWindow: 'needs the window: one zero-window probe for a moment is normal',
  run(input, explain) {
    const w = input.window;
    if (!w) return [];
    const probing = input.snapshot.sockets.filter((s: Socket) => {
      if (s.timer?.kind !== 'probe' || s.sendQ === 0) return false;
      const h = historyOf(w, s);
      return h?.sendQ.every((q) => q > 0);
    });
    if (probing.length < input.config['send-queue.probes']) return [];
    const bytes = probing.reduce((n, s) => n + s.sendQ, 0);
    const proc = topProcesses(probing, 1)[0];
    return [
      finding(input, explain, {
        rule: 'send-queue',
        severity: 'warning',
        title: tr(
          input,
          `${probing.length} connection(s) of ${holderText(input, proc, probing)} waited ${num(w.seconds)} s on a zero window with ${num(bytes)} bytes queued: the peers do not read`,
          `${holderText(input, proc, probing)} 的 ${probing.length} 个连接在零窗口上等了 ${num(w.seconds)} 秒，积压 ${num(bytes)} 字节：对端不读数据`,
        ),
        states: [...new Set(probing.map((s) => s.state))],
        evidence: {
          basis: ['stayed', 'queue'],
          count: probing.length,
          ports: portsOf(input, probing),
          services: topServices(probing),
          processes: topProcesses(probing),
          peers: topPeers(probing),
          sendQBytes: bytes,
        },
        commands: ['tcpscope ls -o --sort sendq --reverse'],
      }),
    ];
  },
};
