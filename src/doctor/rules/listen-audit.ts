/**
 * listen-audit: every listening port with its program; sensitive services bound to every interface;
 * listeners run from a deleted or temporary executable; listeners a baseline does not know.
 */
import { endpointOf } from '../../net/endpoint.js';
import { isWildcard } from '../../net/ip.js';
import type { Socket } from '../../tcp/socket.js';
import { topPorts, topProcesses } from '../evidence.js';
import type { DoctorInput, Finding, Rule } from '../types.js';
import { tr } from './_text.js';

/** Services that should rarely face every network: databases, caches, control planes. */
const SENSITIVE: Record<number, string> = {
  2375: 'docker API',
  2379: 'etcd',
  3306: 'mysql',
  5432: 'postgresql',
  5984: 'couchdb',
  6379: 'redis',
  9042: 'cassandra',
  9200: 'elasticsearch',
  11211: 'memcached',
  27017: 'mongodb',
  2181: 'zookeeper',
  8086: 'influxdb',
};

const base = { rule: 'listen-audit', states: ['LISTEN' as const], why: '', remedies: [], commands: [] };

function program(s: Socket): { pid: number; command: string } | undefined {
  return s.owners?.[0];
}

export const listenAudit: Rule = {
  id: 'listen-audit',
  run(input) {
    const listeners = input.snapshot.sockets.filter((s) => s.state === 'LISTEN');
    const findings: Finding[] = [];
    const ports = [...new Set(listeners.map((s) => s.local.port))].sort((a, b) => a - b);
    findings.push({
      ...base,
      severity: 'info',
      title: tr(input, `${ports.length} listening port(s)`, `${ports.length} 个监听端口`),
      evidence: {
        count: listeners.length,
        ports: topPorts(listeners, 1000),
        processes: topProcesses(listeners, 1000),
        listeners: listeners.map((s) => ({
          port: s.local.port,
          address: s.local.address,
          pid: program(s)?.pid,
          command: program(s)?.command,
        })),
      },
    });
    for (const s of listeners) {
      const p = program(s);
      const where = endpointOf(s.local);
      const who = p ? `${p.command}[${p.pid}]` : '?';
      const exe = p ? input.exes.get(p.pid) : undefined;
      if (exe && (exe.deleted || exe.temporary)) {
        findings.push({
          ...base,
          severity: 'critical',
          title: tr(
            input,
            `${who} listens on ${where} from ${exe.deleted ? 'a deleted executable' : 'a temporary directory'} (${exe.path})`,
            `${who} 在 ${where} 监听，其程序${exe.deleted ? '文件已被删除' : '位于临时目录'}（${exe.path}）`,
          ),
          evidence: {
            count: 1,
            ports: [{ port: s.local.port, count: 1 }],
            processes: p ? [{ ...p, count: 1 }] : [],
            exe,
          },
        });
      }
      const service = SENSITIVE[s.local.port];
      if (service && isWildcard(s.local.address)) {
        findings.push({
          ...base,
          severity: 'warning',
          title: tr(
            input,
            `${service} (${who}) listens on every interface (${where})`,
            `${service}（${who}）在所有网卡上监听（${where}）`,
          ),
          evidence: {
            count: 1,
            ports: [{ port: s.local.port, count: 1 }],
            processes: p ? [{ ...p, count: 1 }] : [],
            service,
          },
        });
      }
    }
    findings.push(...unexpected(input, listeners));
    return findings;
  },
};

/** Listeners whose (port, command) the baseline does not have: the trojan case. */
function unexpected(input: DoctorInput, listeners: Socket[]): Finding[] {
  if (!input.baseline) return [];
  const known = new Set(input.baseline.listeners.map((l) => `${l.port} ${l.command}`));
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const s of listeners) {
    const p = program(s);
    const k = `${s.local.port} ${p?.command ?? '?'}`;
    if (known.has(k) || seen.has(k)) continue;
    seen.add(k);
    const who = p ? `${p.command}[${p.pid}]` : '?';
    out.push({
      ...base,
      severity: 'warning',
      title: tr(
        input,
        `unexpected listener: ${who} on ${endpointOf(s.local)} is not in the baseline`,
        `意外的监听：${who} 在 ${endpointOf(s.local)} 监听，基线中没有它`,
      ),
      evidence: {
        count: 1,
        ports: [{ port: s.local.port, count: 1 }],
        processes: p ? [{ ...p, count: 1 }] : [],
      },
    });
  }
  return out;
}
