/**
 * `tcpscope lab` as text: the list of scenarios, the kernel's table of a scenario summed up by state
 * and owner, what the holder saw (facts) in sentences, and the commands to look at a namespace left
 * up. Pure.
 */
import type { LabScenario } from '../lab/catalog-types.js';
import type { HeldItem } from '../lab/scenario.js';
import type { SsSocket } from '../lab/ss.js';
import type { LabState } from '../lab/state.js';
import { TCP_STATES, type TcpState } from '../tcp/states.js';
import { renderTable } from './table.js';

/** The scenarios as a table: id, what it shows, the default count. */
export function renderLabList(scenarios: readonly LabScenario[], header = true): string {
  return renderTable(
    scenarios,
    [
      { header: 'SCENARIO', get: (s) => s.id },
      { header: 'COUNT', get: (s) => String(s.count.default), align: 'right' },
      { header: 'SHOWS', get: (s) => s.shows },
    ],
    { header },
  );
}

/** The namespaces left up, one line each. */
export function renderLabUp(states: readonly LabState[]): string {
  return states
    .map((s) => `  ${s.name}  ${s.scenario}, since ${s.created}, ${pidsText(s.processes)}\n`)
    .join('');
}

function pidsText(ps: readonly { role: string; pid: number }[]): string {
  return ps.map((p) => `${p.role} pid ${p.pid}`).join(', ');
}

/** One row of the summary: how many sockets in a state, and who holds them. */
export interface StateSummary {
  state: TcpState;
  owner: string;
  count: number;
}

/** The rows grouped by state (kernel order) and owner (`node[123]`, or `no owner`). */
export function summarizeSockets(rows: readonly SsSocket[]): StateSummary[] {
  const by = new Map<string, StateSummary>();
  for (const r of rows) {
    const o = r.owners?.[0];
    const owner = o ? `${o.command}[${o.pid}]` : 'no owner';
    const key = `${r.state} ${owner}`;
    const s = by.get(key) ?? { state: r.state, owner, count: 0 };
    s.count++;
    by.set(key, s);
  }
  const order = (s: TcpState) => TCP_STATES.indexOf(s);
  return [...by.values()].sort((a, b) => order(a.state) - order(b.state) || b.count - a.count);
}

/** The summary as indented lines: `  CLOSE_WAIT  20  held by node[123]`. */
export function renderSummary(sum: readonly StateSummary[]): string {
  if (sum.length === 0) return '  (no sockets)\n';
  const t = renderTable(
    sum,
    [
      { header: '', get: (s) => s.state },
      { header: '', get: (s) => String(s.count), align: 'right' },
      { header: '', get: (s) => (s.owner === 'no owner' ? 'no owner' : `held by ${s.owner}`) },
    ],
    { header: false },
  );
  return t
    .split('\n')
    .filter(Boolean)
    .map((l) => `  ${l}\n`)
    .join('');
}

/** What the holder saw besides sockets, as sentences (empty for items with nothing to say). */
export function factLines(item: HeldItem): string[] {
  const f = item.facts ?? {};
  switch (item.kind) {
    case 'syn-flood':
      return [
        `port ${item.port}: backlog ${f['backlog']}: ${f['requests']} request sockets kept, ${f['cookies']} SYNs answered with SYN cookies`,
      ];
    case 'restart': {
      const own = f['reuseaddr'] ? 'with SO_REUSEADDR' : 'without SO_REUSEADDR';
      const bind = f['reuseaddr'] ? f['bindWithReuseaddr'] : f['bindWithoutReuseaddr'];
      const other = f['reuseaddr'] ? 'without it' : 'with SO_REUSEADDR on the new socket only';
      const otherBind = f['reuseaddr'] ? f['bindWithoutReuseaddr'] : f['bindWithReuseaddr'];
      return [
        `port ${item.port} (server ${own}): bind() after the restart: ${bind}${f['restarted'] ? ', listening again' : ''}; ${other}: ${otherBind}`,
      ];
    }
    case 'killed-client':
      return [
        `port ${item.port}: the client process (pid ${f['killedPid']}) was killed with ${f['signal']}; no LAST_ACK is left`,
      ];
    case 'vanished-client':
      return [
        `port ${item.port}: the clients closed, then their machine vanished (the server's FIN is dropped)`,
      ];
    case 'half-open':
      return f['reconnected']
        ? [`port ${item.port}: the same peer connected again beside its half-open connections`]
        : [];
    default:
      return [];
  }
}

/** The commands that look at a namespace left up, and the one that removes it. */
export function upCommands(netns: string, port: number, doctor: boolean): string[] {
  return [
    `tcpscope --netns ${netns}`,
    `tcpscope ls --netns ${netns} -p`,
    `tcpscope who ${port} --netns ${netns}`,
    ...(doctor ? [`tcpscope doctor --netns ${netns}`] : []),
    `ip netns exec ${netns} ss -tanpo`,
  ];
}

/** At most `max` lines of a command's output, with a line saying how many were left out. */
export function clip(text: string, max: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length <= max) return lines.map((l) => `${l}\n`).join('');
  const kept = lines.slice(0, max).map((l) => `${l}\n`);
  return `${kept.join('')}… ${lines.length - max} more lines\n`;
}
