/** `tcpscope who PORT`: the `lsof -i:PORT` answer, processes first, then sockets nobody holds. */
import { UsageError } from '../../errors.js';
import { attributionText, localText, stateText } from '../../render/socket-text.js';
import { type Column, renderTable } from '../../render/table.js';
import { countStates } from '../../snapshot/aggregate.js';
import { acceptQueueFull } from '../../snapshot/overview.js';
import { selectSockets } from '../../snapshot/select.js';
import { groupSockets, parseWhoTarget, type SocketGroup, type WhoResult } from '../../snapshot/who.js';
import type { Socket } from '../../tcp/socket.js';
import { ALL_STATES, BOUND_INACTIVE, maskHas } from '../../tcp/state-names.js';
import type { TcpState } from '../../tcp/states.js';
import { whoView } from '../../views/who.js';
import { type Cli, paint } from '../output.js';
import { stateColour } from '../paint-state.js';
import { BASE_COLUMNS, socketColumns, warnSnapshot } from '../snapshot-output.js';
import { type FilterFlags, filterSpec, type SourceFlags, sourceOptions } from '../socket-options.js';

interface WhoFlags extends FilterFlags, SourceFlags {
  json?: boolean;
  all?: boolean;
}

/** A process's sockets, or those nobody holds, are listed up to this many; summed up beyond. */
const LIST_MAX = 10;

/** Runs `who PORT`. */
export async function run(cli: Cli, flags: WhoFlags, target: string): Promise<void> {
  const t = parseWhoTarget(target);
  if (!t)
    throw new UsageError(
      `who: '${target}' is not PORT, :PORT, ADDR:PORT or [IPV6]:PORT with a port from 1 to 65535`,
    );
  const spec = filterSpec(flags);
  // Sockets bound but idle hold the port too: ask for them whenever CLOSE is wanted.
  const states = spec.states ?? ALL_STATES;
  if (maskHas(states, 'CLOSE')) spec.states = states | BOUND_INACTIVE;
  const snap = await selectSockets({ ...sourceOptions(flags), owners: true, cmdline: true }, spec);
  warnSnapshot(cli, snap);
  const result = whoView(snap.sockets, t);
  if (result.processes.length === 0 && result.unowned.length === 0) cli.exit(1);
  if (flags.json) cli.o.out(`${JSON.stringify(result)}\n`);
  else
    cli.o.out(
      renderWho(cli, result, flags.all ?? false) + fullQueues(cli, result, snap.source === 'netlink'),
    );
}

function statesText(sockets: readonly Socket[]): string {
  return Object.entries(countStates(sockets).states)
    .map(([st, n]) => `${stateText(st as TcpState)} ${n}`)
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

function renderWho(cli: Cli, r: WhoResult, all: boolean): string {
  const where = r.address === undefined ? `port ${r.port}` : `${r.address} port ${r.port}`;
  if (r.processes.length === 0 && r.unowned.length === 0) return `Nothing holds ${where}.\n`;
  const parts: string[] = [];
  for (const p of r.processes) {
    const head = `${paint(cli.o, 'bold', `${p.command}[${p.pid}]`)} user ${p.user}: ${p.sockets.length} socket(s): ${statesText(p.sockets)}`;
    parts.push(`${head}\n${indent(socketsText(cli, p.sockets, all, false))}`);
  }
  if (r.unowned.length > 0) {
    const head = `${paint(cli.o, 'bold', 'Held by no process')}: ${r.unowned.length} socket(s): ${statesText(r.unowned)}`;
    parts.push(`${head}\n${indent(socketsText(cli, r.unowned, all, true))}`);
  }
  const listed = [...r.processes.flatMap((p) => p.sockets), ...r.unowned];
  let out = parts.join('\n');
  if (!all && (r.processes.some((p) => p.sockets.length > LIST_MAX) || r.unowned.length > LIST_MAX)) {
    out += `\n${paint(cli.o, 'gray', `Summed up per state: --all lists every socket, --json gives them all.`)}\n`;
  }
  if (listed.some((s) => s.state === 'CLOSE')) {
    out += `\nUNCONN: bound to the port but neither listening nor connecting (bind() without listen() or connect()); it keeps the port from others (EADDRINUSE).\n`;
  }
  return out;
}

/** A short list as a table; a long one summed up per state with its top local ends and peers. */
function socketsText(cli: Cli, sockets: Socket[], all: boolean, unowned: boolean): string {
  if (all || sockets.length <= LIST_MAX) {
    return renderTable(sockets, socketColumns(cli, [...BASE_COLUMNS, unowned && 'process']));
  }
  const cols: Column<SocketGroup>[] = [
    { header: 'State', get: (g) => stateText(g.state), paint: (p, v) => stateColour(cli.o, v, p) },
    { header: 'Sockets', get: (g) => String(g.count), align: 'right' },
    { header: 'Local Address:Port', get: localsText },
    { header: 'Top peers', get: peersText },
  ];
  if (unowned)
    cols.push({ header: 'Process', get: (g) => (g.attribution ? attributionText(g.attribution) : '-') });
  return renderTable(groupSockets(sockets), cols);
}

function localsText(g: SocketGroup): string {
  const first = g.locals[0];
  if (!first) return '';
  const text = localText(first.sample);
  return g.localCount === 1 ? text : `${text} and ${g.localCount - 1} more`;
}

function peersText(g: SocketGroup): string {
  if (g.peerCount === 0) return '-';
  const top = g.peers.map((p) => `${p.address} (${p.count})`).join(', ');
  return g.peerCount > g.peers.length ? `${top}, ${g.peerCount - g.peers.length} more` : top;
}
