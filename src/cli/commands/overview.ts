/** `tcpscope` with no command: this machine's TCP state overview, answered at once. */
import type { Finding } from '../../doctor/types.js';
import { countOtherNetns } from '../../kernel/other-netns.js';
import { formatAddress } from '../../net/endpoint.js';
import { bar, type Column, renderTable } from '../../render/table.js';
import {
  buildOverview,
  type ListeningPort,
  type Overview,
  type StatePlaces,
} from '../../snapshot/overview.js';
import { type SnapshotOptions, takeSnapshot } from '../../snapshot/take.js';
import type { Snapshot } from '../../tcp/socket.js';
import { langOf } from '../lang-option.js';
import { type Cli, paint } from '../output.js';
import { stateColour } from '../paint-state.js';
import { warnSnapshot } from '../snapshot-output.js';
import { type SourceFlags, sourceOptions } from '../socket-options.js';

interface OverviewFlags extends SourceFlags {
  lang?: string;
  json?: boolean;
  top: string;
}

/** Runs `tcpscope (the overview)`. */
export async function run(cli: Cli, flags: OverviewFlags): Promise<void> {
  const source = sourceOptions(flags);
  const snap = await takeSnapshot({ ...source, owners: true, info: true });
  warnSnapshot(cli, snap);
  const top = Math.max(1, Math.min(20, Number.parseInt(flags.top, 10) || 3));
  const overview = buildOverview(snap, top);
  overview.otherNetns = await countOtherNetns(source.procRoot ?? '/proc', snap.netns?.inode);
  // The doctor's snapshot rules (no sampling window): the overview answers at once.
  const lang = langOf(flags, cli);
  const findings = await snapshotFindings(snap, source, lang);
  if (flags.json) cli.o.out(`${JSON.stringify({ ...overview, findings })}\n`);
  else cli.o.out(renderOverview(cli, overview) + renderFindings(cli, findings, lang));
}

function renderOverview(cli: Cli, v: Overview): string {
  const ns = v.netns ? ` in netns ${v.netns.name ?? v.netns.inode}` : '';
  const parts = [`${paint(cli.o, 'bold', `${v.total} TCP sockets${ns}`)}  ${v.time}\n`];
  parts.push(renderStates(cli, v));
  parts.push(`${paint(cli.o, 'bold', 'Listening')}\n${renderListening(v.listening)}`);
  if (v.places.length > 0)
    parts.push(`${paint(cli.o, 'bold', 'Where they are')}\n${renderPlaces(cli, v.places)}`);
  const other = v.otherNetns;
  if (other && other.namespaces > 0) {
    const read = other.namespaces - other.unread;
    const counted =
      read > 0 ? `${other.sockets} TCP socket(s) in ${read} of them not shown here` : 'none could be read';
    const unread = other.unread > 0 && read > 0 ? `; ${other.unread} could not be read (run as root)` : '';
    parts.push(
      `${other.namespaces} other network namespace(s): ${counted}${unread}. See: tcpscope --netns NAME, tcpscope ls --netns-pid PID\n`,
    );
  }
  return parts.join('\n');
}

/** The doctor's findings on this snapshot (loaded here: `ls` and `count` never evaluate the doctor). */
async function snapshotFindings(
  snap: Snapshot,
  source: SnapshotOptions,
  lang: 'en' | 'zh',
): Promise<Finding[]> {
  const [{ DOCTOR_DEFAULTS }, { diagnose }, { explainRule }, { inputFor }] = await Promise.all([
    import('../../doctor/config.js'),
    import('../../doctor/diagnose.js'),
    import('../../doctor/explain.js'),
    import('../../doctor/gather.js'),
  ]);
  const input = await inputFor(snap, { ...source, config: { ...DOCTOR_DEFAULTS }, lang });
  return diagnose(input, explainRule).findings.filter((f) => f.severity !== 'info');
}

function renderFindings(cli: Cli, findings: Finding[], lang: 'en' | 'zh'): string {
  const head = paint(cli.o, 'bold', lang === 'zh' ? '诊断（tcpscope doctor）' : 'Findings (tcpscope doctor)');
  if (findings.length === 0)
    return `\n${head}\n  ${lang === 'zh' ? '没有发现问题。' : 'nothing looks wrong in this snapshot.'}\n`;
  const colour = { critical: 'red', warning: 'yellow', info: 'cyan' } as const;
  const lines = findings.map(
    (f) => `  ${paint(cli.o, colour[f.severity], f.severity.toUpperCase().padEnd(8))} ${f.rule}  ${f.title}`,
  );
  return `\n${head}\n${lines.join('\n')}\n  ${lang === 'zh' ? '详情' : 'details'}: tcpscope doctor\n`;
}

function renderStates(cli: Cli, v: Overview): string {
  const rows = Object.entries(v.states).sort((a, b) => b[1] - a[1]);
  const max = rows[0]?.[1] ?? 0;
  const width = Math.max(10, Math.min(40, cli.o.columns - 30));
  return renderTable(rows, [
    { header: 'STATE', get: (r) => r[0], paint: (p, s) => stateColour(cli.o, s, p) },
    { header: 'COUNT', get: (r) => String(r[1]), align: 'right' },
    { header: '', get: (r) => bar(r[1], max, width) },
  ]);
}

function renderListening(list: ListeningPort[]): string {
  if (list.length === 0) return '  no listening sockets\n';
  const cols: Column<ListeningPort>[] = [
    { header: 'PORT', get: (l) => String(l.port), align: 'right' },
    { header: 'ON', get: (l) => l.exposure },
    {
      header: 'ADDRESSES',
      get: (l) => l.addresses.map((a) => formatAddress(a, { v6only: true })).join(' '),
    },
    {
      header: 'QUEUE',
      get: (l) => `${l.acceptQueue}${l.backlog !== undefined ? `/${l.backlog}` : ''}${l.full ? ' FULL' : ''}`,
      align: 'right',
    },
    { header: 'PROGRAM', get: (l) => (l.programs.length ? compactPrograms(l.programs) : '?') },
  ];
  return renderTable(list, cols);
}

/** `nginx[10],nginx[11],nginx[12]` as `nginx[10,11,12]`. */
function compactPrograms(programs: string[]): string {
  const byCommand = new Map<string, string[]>();
  for (const p of programs) {
    const m = /^(.*)\[(\d+)\]$/.exec(p);
    const [cmd, pid] = m ? [m[1]!, m[2]!] : [p, ''];
    const l = byCommand.get(cmd);
    if (l) l.push(pid);
    else byCommand.set(cmd, [pid]);
  }
  return [...byCommand].map(([cmd, pids]) => `${cmd}[${pids.join(',')}]`).join(' ');
}

function renderPlaces(cli: Cli, places: StatePlaces[]): string {
  const list = (l: [string, number][]): string => l.map(([k, n]) => `${k} ${n}`).join(', ');
  return renderTable(places, [
    { header: 'STATE', get: (p) => p.state, paint: (pad, s) => stateColour(cli.o, s, pad) },
    { header: 'COUNT', get: (p) => String(p.count), align: 'right' },
    { header: 'PORTS', get: (p) => list(p.ports) },
    { header: 'PROCESSES', get: (p) => list(p.processes) },
    { header: 'PEERS', get: (p) => list(p.peers) },
  ]);
}
