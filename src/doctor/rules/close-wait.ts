/**
 * close-wait-leak: CLOSE_WAIT sockets a process holds (or that wait unaccepted on its listener).
 * The peer has closed; only the local program can finish the connection, by calling close(). The
 * kernel keeps no birth time: how long one has been idle comes from tcp_info's last_data_recv.
 */
import { infoOf, procText, topPeers, topPorts, topProcesses } from '../evidence.js';
import type { Finding, Rule } from '../types.js';
import { tr } from './_text.js';

export const closeWaitLeak: Rule = {
  id: 'close-wait-leak',
  run(input) {
    const c = input.config;
    const byPid = new Map<number, typeof input.snapshot.sockets>();
    for (const s of input.snapshot.sockets) {
      if (s.state !== 'CLOSE_WAIT') continue;
      const pid = s.owners?.[0]?.pid ?? s.attribution?.pid ?? 0;
      const l = byPid.get(pid);
      if (l) l.push(s);
      else byPid.set(pid, [s]);
    }
    const findings: Finding[] = [];
    for (const [pid, list] of byPid) {
      const idleMs = Math.max(0, ...list.map((s) => infoOf(s)?.['last_data_recv'] ?? 0));
      const old = idleMs >= c['close-wait-leak.idleSecondsWarning'] * 1000;
      if (list.length < c['close-wait-leak.warning'] && !old) continue;
      const proc = topProcesses(list, 1)[0];
      const queued = list.filter((s) => s.attribution?.kind === 'queued').length;
      const port = topPorts(list, 1)[0]?.port;
      const tail =
        queued === list.length
          ? tr(
              input,
              'never accepted: the program does not call accept()',
              '从未被 accept()：程序没有调用 accept()',
            )
          : tr(input, 'the program does not call close()', '程序没有调用 close()');
      findings.push({
        rule: 'close-wait-leak',
        severity: list.length >= c['close-wait-leak.critical'] ? 'critical' : 'warning',
        title: tr(
          input,
          `${list.length} CLOSE_WAIT held by ${pid ? procText(proc) : 'no process'}${port ? ` on :${port}` : ''}: ${tail}`,
          `${pid ? procText(proc) : '无进程'}${port ? ` 在 :${port} 上` : ''}持有 ${list.length} 个 CLOSE_WAIT：${tail}`,
        ),
        states: ['CLOSE_WAIT'],
        evidence: {
          count: list.length,
          ports: topPorts(list),
          processes: topProcesses(list),
          peers: topPeers(list),
          queuedNeverAccepted: queued,
          recvQBytes: list.reduce((n, s) => n + s.recvQ, 0),
          ...(idleMs > 0 ? { oldestIdleSeconds: Math.round(idleMs / 1000) } : {}),
        },
        why: '',
        remedies: [],
        commands: [
          `tcpscope ls -s close-wait -p${pid ? ` --pid ${pid}` : ''}`,
          ...(pid ? [`ls -l /proc/${pid}/fd | grep -c socket`] : []),
        ],
      });
    }
    return findings;
  },
};
