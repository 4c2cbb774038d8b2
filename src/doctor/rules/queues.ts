/**
 * accept-queue: listeners whose accept queue is full or filling (the program does not accept fast
 * enough; Linux admits backlog + 1, so a full queue shows Recv-Q > Send-Q with netlink).
 * recv-queue: data the program does not read, staying or growing over the window.
 * send-queue: data the peer does not read (zero-window probe timer with bytes queued).
 */
import { formatFlow } from '../../net/endpoint.js';
import type { Socket } from '../../tcp/socket.js';
import { procText, rate, sysctlNumber, topPeers, topPorts, topProcesses } from '../evidence.js';
import type { DoctorInput, Finding, Rule } from '../types.js';
import { tr } from './_text.js';

export const acceptQueue: Rule = {
  id: 'accept-queue',
  run(input) {
    const overflows = rate(input, 'TcpExtListenOverflows');
    const netlink = input.snapshot.source === 'netlink';
    const somaxconn = sysctlNumber(input, 'net.core.somaxconn') ?? 4096;
    const out: Finding[] = [];
    for (const l of input.snapshot.sockets) {
      if (l.state !== 'LISTEN' || l.recvQ === 0) continue;
      const backlog = netlink && l.sendQ > 0 ? l.sendQ : undefined;
      const full = backlog !== undefined ? l.recvQ > backlog : l.recvQ >= somaxconn;
      const filling =
        backlog !== undefined ? l.recvQ >= input.config['accept-queue.ratioWarning'] * backlog : l.recvQ >= 8;
      if (!full && !filling && overflows === 0) continue;
      const proc = topProcesses([l], 1)[0];
      out.push({
        rule: 'accept-queue',
        severity: full || overflows > 0 ? 'critical' : 'warning',
        title: tr(
          input,
          `accept queue of ${procText(proc)} on :${l.local.port} ${full ? 'is full' : 'is filling'}: ${l.recvQ} waiting${backlog !== undefined ? ` (backlog ${backlog})` : ''}`,
          `${procText(proc)} 在 :${l.local.port} 的全连接队列${full ? '已满' : '正在堆积'}：${l.recvQ} 个等待 accept${backlog !== undefined ? `（backlog ${backlog}）` : ''}`,
        ),
        states: ['LISTEN'],
        evidence: {
          count: l.recvQ,
          ports: [{ port: l.local.port, count: l.recvQ }],
          processes: proc ? [{ ...proc, count: l.recvQ }] : [],
          backlog: backlog ?? null,
          somaxconn,
          'TcpExtListenOverflows/s': overflows,
          'TcpExtListenDrops/s': rate(input, 'TcpExtListenDrops'),
        },
        why: '',
        remedies: [],
        commands: [`tcpscope who ${l.local.port}`, 'tcpscope stat -n LISTEN 1 5'],
      });
    }
    if (out.length === 0 && overflows > 0) {
      out.push({
        rule: 'accept-queue',
        severity: 'warning',
        title: tr(
          input,
          `ListenOverflows rising (${overflows.toFixed(1)}/s): some listener's accept queue overflows`,
          `ListenOverflows 在增长（${overflows.toFixed(1)}/s）：某个监听的全连接队列溢出`,
        ),
        states: ['LISTEN'],
        evidence: {
          'TcpExtListenOverflows/s': overflows,
          'TcpExtListenDrops/s': rate(input, 'TcpExtListenDrops'),
        },
        why: '',
        remedies: [],
        commands: ['tcpscope ls -l -p', 'tcpscope stat -n LISTEN 1 5'],
      });
    }
    return out;
  },
};

const tupleKey = (s: Socket): string => formatFlow(s.local, s.remote);

function byProcess(
  input: DoctorInput,
  list: Socket[],
  make: (pid: number, l: Socket[]) => Finding,
): Finding[] {
  const groups = new Map<number, Socket[]>();
  for (const s of list) {
    const pid = s.owners?.[0]?.pid ?? s.attribution?.pid ?? 0;
    const l = groups.get(pid);
    if (l) l.push(s);
    else groups.set(pid, [s]);
  }
  void input;
  return [...groups].map(([pid, l]) => make(pid, l));
}

export const recvQueue: Rule = {
  id: 'recv-queue',
  run(input) {
    const min = input.config['recv-queue.bytes'];
    const earlier = input.earlier
      ? new Map(input.earlier.sockets.map((s) => [tupleKey(s), s.recvQ]))
      : undefined;
    const stuck = input.snapshot.sockets.filter((s) => {
      if ((s.state !== 'ESTABLISHED' && s.state !== 'CLOSE_WAIT') || s.recvQ < min || s.inode === 0)
        return false;
      if (!earlier) return true;
      const before = earlier.get(tupleKey(s));
      return before !== undefined && before >= min && s.recvQ >= before;
    });
    return byProcess(input, stuck, (pid, l) => {
      const proc = topProcesses(l, 1)[0];
      const bytes = l.reduce((n, s) => n + s.recvQ, 0);
      return {
        rule: 'recv-queue',
        severity: earlier ? 'warning' : 'info',
        title: tr(
          input,
          `${procText(proc)} leaves ${bytes} bytes unread on ${l.length} connection(s)${earlier ? ' (stayed or grew over the window)' : ''}`,
          `${procText(proc)} 有 ${l.length} 个连接共 ${bytes} 字节未读取${earlier ? '（观察期内未减少）' : ''}`,
        ),
        states: [...new Set(l.map((s) => s.state))],
        evidence: {
          count: l.length,
          ports: topPorts(l),
          processes: topProcesses(l),
          peers: topPeers(l),
          recvQBytes: bytes,
        },
        why: '',
        remedies: [],
        commands: [`tcpscope ls -p --sort recvq --reverse${pid ? ` --pid ${pid}` : ''}`],
      };
    });
  },
};

export const sendQueue: Rule = {
  id: 'send-queue',
  run(input) {
    const probing = input.snapshot.sockets.filter((s) => s.timer?.kind === 'probe' && s.sendQ > 0);
    if (probing.length < input.config['send-queue.probes']) return [];
    const bytes = probing.reduce((n, s) => n + s.sendQ, 0);
    return [
      {
        rule: 'send-queue',
        severity: 'warning',
        title: tr(
          input,
          `${probing.length} connection(s) wait on a zero window with ${bytes} bytes queued: the peers do not read`,
          `${probing.length} 个连接卡在零窗口，积压 ${bytes} 字节：对端不读数据`,
        ),
        states: [...new Set(probing.map((s) => s.state))],
        evidence: {
          count: probing.length,
          ports: topPorts(probing),
          processes: topProcesses(probing),
          peers: topPeers(probing),
          sendQBytes: bytes,
        },
        why: '',
        remedies: [],
        commands: ['tcpscope ls -o --sort sendq --reverse'],
      },
    ];
  },
};
