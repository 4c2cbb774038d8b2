/** `tcpscope who PORT`: the `lsof -i:PORT` answer, processes first, then sockets nobody holds. */
import { UsageError } from '../../errors.js';
import { localText, ownerText, peerText } from '../../render/socket-text.js';
import { type Column, renderTable } from '../../render/table.js';
import { countStates } from '../../snapshot/aggregate.js';
import { acceptQueueFull } from '../../snapshot/overview.js';
import { selectSockets } from '../../snapshot/select.js';
import { parseWhoTarget, type WhoResult, whoHolds } from '../../snapshot/who.js';
import type { Socket } from '../../tcp/socket.js';
import { type Cli, paint } from '../output.js';
import { stateColour } from '../paint-state.js';
import { warnSnapshot } from '../snapshot-output.js';
import { type FilterFlags, filterSpec, type SourceFlags, sourceOptions } from '../socket-options.js';

interface WhoFlags extends FilterFlags, SourceFlags {
  json?: boolean;
}

/** Runs `who PORT`. */
export async function run(cli: Cli, flags: WhoFlags, target: string): Promise<void> {
  const t = parseWhoTarget(target);
  if (!t) throw new UsageError(`who: '${target}' is not PORT, :PORT, ADDR:PORT or [IPV6]:PORT`);
  const snap = await selectSockets(
    { ...sourceOptions(flags), owners: true, cmdline: true },
    filterSpec(flags),
  );
  warnSnapshot(cli, snap);
  const result = whoHolds(snap.sockets, t);
  if (result.processes.length === 0 && result.unowned.length === 0) cli.exit(1);
  if (flags.json) cli.o.out(`${JSON.stringify(result)}\n`);
  else cli.o.out(renderWho(cli, result) + fullQueues(cli, result, snap.source === 'netlink'));
}

function socketColumns(cli: Cli, withOwner: boolean): Column<Socket>[] {
  const cols: Column<Socket>[] = [
    { header: 'State', get: (s) => s.state, paint: (p, v) => stateColour(cli.o, v, p) },
    { header: 'Recv-Q', get: (s) => String(s.recvQ), align: 'right' },
    { header: 'Send-Q', get: (s) => String(s.sendQ), align: 'right' },
    { header: 'Local Address:Port', get: (s) => localText(s) },
    { header: 'Peer Address:Port', get: (s) => peerText(s) },
  ];
  if (withOwner) cols.push({ header: 'Held by', get: ownerText });
  return cols;
}

function statesText(sockets: readonly Socket[]): string {
  return Object.entries(countStates(sockets).states)
    .map(([st, n]) => `${st} ${n}`)
    .join(', ');
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '    ');
}

/** A line for each listener whose accept queue is over its backlog (netlink knows the backlog). */
function fullQueues(cli: Cli, r: WhoResult, knowsBacklog: boolean): string {
  if (!knowsBacklog) return '';
  const full = new Set<Socket>();
  for (const p of r.processes) for (const s of p.sockets) if (acceptQueueFull(s)) full.add(s);
  for (const s of r.unowned) if (acceptQueueFull(s)) full.add(s);
  return [...full]
    .map(
      (s) =>
        `${paint(cli.o, 'red', 'accept queue full')} on ${localText(s)}: ${s.recvQ} waiting, backlog ${s.sendQ}; new handshakes are dropped until the program accepts\n`,
    )
    .join('');
}

function renderWho(cli: Cli, r: WhoResult): string {
  const where = r.address === undefined ? `port ${r.port}` : `${r.address} port ${r.port}`;
  if (r.processes.length === 0 && r.unowned.length === 0) return `Nothing holds ${where}.\n`;
  const parts: string[] = [];
  for (const p of r.processes) {
    const head = `${paint(cli.o, 'bold', `${p.command}[${p.pid}]`)} user ${p.user}: ${p.sockets.length} socket(s): ${statesText(p.sockets)}`;
    parts.push(`${head}\n${indent(renderTable(p.sockets, socketColumns(cli, false)))}`);
  }
  if (r.unowned.length > 0) {
    const head = `${paint(cli.o, 'bold', 'Held by no process')}: ${r.unowned.length} socket(s): ${statesText(r.unowned)}`;
    parts.push(`${head}\n${indent(renderTable(r.unowned, socketColumns(cli, true)))}`);
  }
  return parts.join('\n');
}
