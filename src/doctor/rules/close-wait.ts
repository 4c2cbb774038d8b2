/**
 * close-wait-leak: CLOSE_WAIT sockets that stayed for the whole window, per process (or waiting
 * unaccepted on its listener). The peer has closed; only the local program can finish the
 * connection, by calling close(). A healthy server passes through CLOSE_WAIT for the moment between
 * reading the end of stream and closing; one that leaks keeps them, and their number grows. Idle
 * time is no age: a bare FIN does not reset tcp_info's last_data_recv.
 */
import { byPid, finding, holderText, num, portsOf, topPeers, topProcesses } from '../evidence.js';
import type { Finding, Rule } from '../types.js';
import { grows, stayed } from '../window.js';
import { tr } from './_text.js';

export const closeWaitLeak: Rule = {
  id: 'close-wait-leak',
  needsWindow: 'needs the window: only a CLOSE_WAIT that stays is a leak',
  run(input, explain) {
    const w = input.window;
    if (!w) return [];
    const c = input.config;
    const staying = input.snapshot.sockets.filter((s) => s.state === 'CLOSE_WAIT' && stayed(w, s));
    const findings: Finding[] = [];
    for (const [pid, list] of byPid(staying)) {
      const series = w.perProcess.get(`${pid} CLOSE_WAIT`) ?? [];
      const growing = grows(series);
      if (list.length < c['close-wait-leak.warning'] && !(growing && list.length >= 2)) continue;
      const proc = topProcesses(list, 1)[0];
      const queued = list.filter((s) => s.attribution?.kind === 'queued').length;
      const port = portsOf(input, list, 1)[0]?.port;
      const tail =
        queued === list.length
          ? tr(
              input,
              'never accepted: the program does not call accept()',
              '从未被 accept()：程序没有调用 accept()',
            )
          : tr(input, 'the program does not call close()', '程序没有调用 close()');
      const kept = tr(
        input,
        `${list.length} CLOSE_WAIT stayed ${num(w.seconds)} s`,
        `${list.length} 个 CLOSE_WAIT 持续 ${num(w.seconds)} 秒`,
      );
      const grew = growing
        ? tr(input, ` and the count grows (${series.join(' → ')})`, `，且数量在增长（${series.join(' → ')}）`)
        : '';
      findings.push(
        finding(input, explain, {
          rule: 'close-wait-leak',
          severity: list.length >= c['close-wait-leak.critical'] || growing ? 'critical' : 'warning',
          title: tr(
            input,
            `${kept}${grew}, held by ${holderText(input, proc, list)}${port ? ` on :${port}` : ''}: ${tail}`,
            `${holderText(input, proc, list)}${port ? ` 在 :${port} 上` : ''}持有的 ${kept}${grew}：${tail}`,
          ),
          states: ['CLOSE_WAIT'],
          evidence: {
            basis: ['stayed', ...(growing ? (['counter'] as const) : [])],
            count: list.length,
            ports: portsOf(input, list),
            processes: topProcesses(list),
            peers: topPeers(list),
            queuedNeverAccepted: queued,
            recvQBytes: list.reduce((n, s) => n + s.recvQ, 0),
            perSnapshot: series,
            windowSeconds: w.seconds,
          },
          commands: [
            `tcpscope ls -s close-wait -p${pid ? ` --pid ${pid}` : ''}`,
            ...(pid ? [`ls -l /proc/${pid}/fd | grep -c socket`] : []),
          ],
        }),
      );
    }
    return findings;
  },
};
