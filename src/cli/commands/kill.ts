/** `tcpscope kill`: close the TCP sockets a filter matches, like `ss -K`, after showing them. */
import { UsageError } from '../../errors.js';
import { type Column, renderTable } from '../../render/table.js';
import { type CloseOutcome, closeSockets, findSocketsToClose } from '../../snapshot/close.js';
import type { Socket } from '../../tcp/socket.js';
import { type Cli, paint } from '../output.js';
import { socketColumns, warnSnapshot } from '../snapshot-output.js';
import { type FilterFlags, filterSpec, type SourceFlags, sourceOptions } from '../socket-options.js';

interface KillFlags extends FilterFlags, SourceFlags {
  yes?: boolean;
  json?: boolean;
}

/** Runs `kill`. */
export async function run(cli: Cli, flags: KillFlags): Promise<void> {
  const opts = sourceOptions(flags);
  // SOCK_DESTROY is a netlink request: the sockets to close are found the same way.
  if (opts.source === 'procfs')
    throw new UsageError(
      '--source procfs: kill closes sockets through netlink (sock_diag), and finds them there',
    );
  const snap = await findSocketsToClose({ ...opts, cmdline: false }, filterSpec(flags));
  warnSnapshot(cli, snap);
  const n = snap.sockets.length;
  if (n === 0) {
    if (flags.json)
      cli.o.out(`${JSON.stringify({ time: snap.time, matched: 0, closed: 0, gone: 0, failed: [] })}\n`);
    else cli.o.out('No socket matches.\n');
    cli.exit(1);
    return;
  }
  // What will be closed: on stdout, or on stderr when stdout is kept for JSON and we ask first.
  if (!flags.json) cli.o.out(renderTable(snap.sockets, columns(cli)));
  else if (!flags.yes) cli.o.err(renderTable(snap.sockets, columns(cli)));
  if (!(await confirmed(cli, flags, n))) return;
  const outcome = await closeSockets(opts, snap);
  if (outcome.failed.length > 0) cli.exit(2);
  if (flags.json) cli.o.out(`${JSON.stringify(outcomeJson(snap.time, n, outcome))}\n`);
  else cli.o.out(renderOutcome(cli, outcome));
}

/** --yes, or a "y" typed on the terminal; without a terminal, a usage error. */
async function confirmed(cli: Cli, flags: KillFlags, n: number): Promise<boolean> {
  if (flags.yes) return true;
  if (!cli.o.ask) {
    throw new UsageError(`kill: stdin is not a terminal: add --yes to close these ${n} socket(s)`);
  }
  const answer = await cli.o.ask(`Close these ${n} socket(s)? [y/N] `);
  if (/^\s*y(es)?\s*$/i.test(answer)) return true;
  cli.o.note('nothing closed');
  cli.exit(1);
  return false;
}

function columns(cli: Cli): Column<Socket>[] {
  return socketColumns(cli, ['state', 'local', 'peer', 'process']);
}

function outcomeJson(time: string, matched: number, o: CloseOutcome): object {
  return {
    time,
    matched,
    closed: o.closed.length,
    gone: o.gone.length,
    failed: o.failed.map((f) => ({ socket: f.socket, errno: f.errno, reason: f.reason })),
    sockets: o.closed,
  };
}

function renderOutcome(cli: Cli, o: CloseOutcome): string {
  const lines = [`Closed ${o.closed.length} socket(s).`];
  if (o.gone.length > 0) lines.push(`${o.gone.length} were already gone.`);
  const byReason = new Map<string, number>();
  for (const f of o.failed) byReason.set(f.reason, (byReason.get(f.reason) ?? 0) + 1);
  for (const [reason, count] of byReason)
    lines.push(paint(cli.o, 'red', `${count} could not be closed: ${reason}`));
  return `${lines.join('\n')}\n`;
}
