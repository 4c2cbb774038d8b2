/**
 * connect-failures: connects that fail (TcpAttemptFails rising over the window, relative to those
 * attempted). With the kernel's own reports (tracefs, root), the processes, destinations and errors:
 * ECONNREFUSED (an RST in SYN_SENT: nobody listens), ETIMEDOUT, EHOSTUNREACH. EADDRNOTAVAIL is
 * port-exhaustion's.
 */
import type { ConnectFailure } from '../connect-events.js';
import { endpoint, finding, increase, num, rate } from '../evidence.js';
import type { DoctorInput, Finding, Rule } from '../types.js';
import { tr } from './_text.js';

/** Failures of one process to one destination, all errors together, most first. */
function grouped(
  failures: readonly ConnectFailure[],
): { key: string; list: ConnectFailure[]; count: number }[] {
  const m = new Map<string, ConnectFailure[]>();
  for (const f of failures) {
    const k = `${f.pid} ${f.address} ${f.port}`;
    const l = m.get(k);
    if (l) l.push(f);
    else m.set(k, [f]);
  }
  return [...m]
    .map(([key, list]) => ({ key, list, count: list.reduce((n, f) => n + f.count, 0) }))
    .sort((a, b) => b.count - a.count);
}

function counterContext(input: DoctorInput): Record<string, number> {
  return {
    TcpAttemptFails: increase(input, 'TcpAttemptFails'),
    'TcpAttemptFails/s': rate(input, 'TcpAttemptFails'),
    'TcpActiveOpens/s': rate(input, 'TcpActiveOpens'),
  };
}

export const connectFailures: Rule = {
  id: 'connect-failures',
  needsWindow: 'needs the window: failed connects are counted while it runs',
  run(input, explain) {
    const c = input.config;
    const seconds = input.interval?.seconds ?? input.connects?.seconds ?? 0;
    const context = counterContext(input);
    const traced = input.connects?.failures.filter((f) => f.error !== 'EADDRNOTAVAIL');
    if (traced) {
      const out: Finding[] = [];
      for (const g of grouped(traced)) {
        if (g.count < c['connect-failures.count']) continue;
        const f = g.list[0]!;
        const perSecond = seconds > 0 ? g.count / seconds : g.count;
        const errors = g.list.map((x) => `${x.error} ${num(x.count)}`).join(', ');
        out.push(
          finding(input, explain, {
            rule: 'connect-failures',
            severity: perSecond >= c['connect-failures.criticalPerSecond'] ? 'critical' : 'warning',
            title: tr(
              input,
              `${f.command}[${f.pid}] fails to connect to ${endpoint(f)}: ${num(g.count)} failures (${num(perSecond)}/s): ${errors}`,
              `${f.command}[${f.pid}] 连接 ${endpoint(f)} 失败：${num(g.count)} 次（每秒 ${num(perSecond)} 次）：${errors}`,
            ),
            states: ['SYN_SENT', 'CLOSE'],
            evidence: {
              basis: ['kernel-error'],
              count: g.count,
              ports: [{ port: f.port, count: g.count }],
              processes: [{ pid: f.pid, command: f.command, count: g.count }],
              peers: [{ address: f.address, count: g.count }],
              errors: g.list.map((x) => ({ error: x.error, count: x.count })),
              perSecond,
              namespace: context,
            },
            commands: [`tcpscope who ${f.port}`, `strace -f -e trace=connect -p ${f.pid}`],
          }),
        );
      }
      return out;
    }
    // Without the kernel's reports: the namespace's counter, relative to the connects attempted.
    const fails = context['TcpAttemptFails'] ?? 0;
    const opens = increase(input, 'TcpActiveOpens');
    if (fails < c['connect-failures.count'] || fails < c['connect-failures.ratio'] * Math.max(opens, 1))
      return [];
    return [
      finding(input, explain, {
        rule: 'connect-failures',
        severity: 'warning',
        title: tr(
          input,
          `${num(fails)} connects failed in this namespace over ${num(seconds)} s (${num(rate(input, 'TcpAttemptFails'))}/s, of ${num(opens)} attempted); as root with tracefs the processes and destinations are named`,
          `本命名空间 ${num(seconds)} 秒内有 ${num(fails)} 个连接失败（每秒 ${num(rate(input, 'TcpAttemptFails'))} 个，共尝试 ${num(opens)} 个）；以 root 运行并有 tracefs 时可指出进程和目的地`,
        ),
        states: ['SYN_SENT', 'CLOSE'],
        evidence: {
          basis: ['counter'],
          count: fails,
          namespace: context,
          traced: false,
          ...(input.connectsUntraced ? { untraced: input.connectsUntraced } : {}),
        },
        commands: ['sudo tcpscope doctor', 'tcpscope stat -n ETCP 1 10'],
      }),
    ];
  },
};
