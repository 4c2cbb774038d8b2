/** `tcpscope ls`: every TCP socket, like `ss -tan` (and `-p`, `-o`, `-e`), with filters. */
import { UsageError } from '../../errors.js';
import { localText, netnsText, ownerText, peerText, timerText } from '../../render/socket-text.js';
import { type Column, renderCsv, renderTable } from '../../render/table.js';
import { memoryText, tcpInfoText } from '../../render/tcp-info-text.js';
import type { FilterSpec } from '../../snapshot/filter.js';
import { selectSockets } from '../../snapshot/select.js';
import { SORT_KEYS, type SortKey, sortSockets } from '../../snapshot/sort.js';
import { streamable, streamSocketsJson } from '../../snapshot/stream-json.js';
import type { Snapshot, Socket } from '../../tcp/socket.js';
import { printSummary } from '../ls-summary.js';
import type { Cli } from '../output.js';
import { stateColour } from '../paint-state.js';
import { snapshotJson, warnSnapshot } from '../snapshot-output.js';
import { type FilterFlags, filterSpec, type SourceFlags, sourceOptions } from '../socket-options.js';

interface LsFlags extends FilterFlags, SourceFlags {
  processes?: boolean;
  timers?: boolean;
  extended?: boolean;
  info?: boolean;
  memory?: boolean;
  summary?: boolean;
  allNetns?: boolean;
  sort?: string;
  reverse?: boolean;
  json?: boolean;
  csv?: boolean;
  header: boolean;
}

/** Runs `ls`. */
export async function run(cli: Cli, flags: LsFlags): Promise<void> {
  const spec = filterSpec(flags);
  if (flags.summary) {
    await printSummary(cli, sourceOptions(flags), flags.json ?? false);
    return;
  }
  const sortKeys = flags.sort !== undefined ? parseSort(flags.sort) : undefined;
  if (flags.allNetns && (flags.netns !== undefined || flags.netnsPid !== undefined)) {
    throw new UsageError('--all-netns reads every namespace: it excludes --netns and --netns-pid');
  }
  if (flags.json && !sortKeys && plainList(flags) && streamable(spec) && (await streamed(cli, flags, spec)))
    return;
  const snap = await selectSockets(
    {
      ...sourceOptions(flags),
      owners: flags.processes ?? false,
      cmdline: true,
      info: flags.info ?? false,
      memory: flags.memory ?? false,
      allNetns: flags.allNetns ?? false,
    },
    spec,
  );
  warnSnapshot(cli, snap);
  if (sortKeys) sortSockets(snap.sockets, sortKeys, flags.reverse ?? false);
  if (flags.json) cli.o.out(`${JSON.stringify(snapshotJson(snap))}\n`);
  else renderLs(cli, snap, flags);
}

/** The JSON straight from the kernel's replies, as the dump comes in (the same bytes); false if it could not start. */
async function streamed(cli: Cli, flags: LsFlags, spec: FilterSpec): Promise<boolean> {
  const write = (b: Uint8Array): void =>
    cli.o.outBytes ? cli.o.outBytes(b) : cli.o.out(Buffer.from(b).toString('latin1'));
  const r = await streamSocketsJson(sourceOptions(flags), spec, write);
  for (const w of r?.warnings ?? []) cli.o.note(w);
  return r !== undefined;
}

/** Nothing asked for beyond the socket table itself. */
function plainList(f: LsFlags): boolean {
  return !f.processes && !f.info && !f.memory && !f.allNetns && !f.csv;
}

function parseSort(text: string): SortKey[] {
  return text.split(',').map((k) => {
    const key = k.trim().toLowerCase();
    if (!(SORT_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`--sort: unknown key '${k}': valid are ${SORT_KEYS.join(', ')}`);
    }
    return key as SortKey;
  });
}

function renderLs(cli: Cli, snap: Snapshot, flags: LsFlags): void {
  const cols: Column<Socket>[] = [];
  if (snap.namespaces) cols.push({ header: 'Netns', get: (s) => (s.netns ? netnsText(s.netns) : '') });
  cols.push(
    { header: 'State', get: (s) => s.state, paint: (p, v) => stateColour(cli.o, v, p) },
    { header: 'Recv-Q', get: (s) => String(s.recvQ), align: 'right' },
    { header: 'Send-Q', get: (s) => String(s.sendQ), align: 'right' },
    { header: 'Local Address:Port', get: (s) => localText(s) },
    { header: 'Peer Address:Port', get: (s) => peerText(s) },
  );
  if (flags.timers) cols.push({ header: 'Timer', get: (s) => timerText(s.timer) });
  if (flags.extended) {
    cols.push({ header: 'UID', get: (s) => String(s.uid), align: 'right' });
    cols.push({ header: 'Inode', get: (s) => String(s.inode), align: 'right' });
  }
  if (flags.processes) cols.push({ header: 'Process', get: ownerText });
  if (flags.memory) cols.push({ header: 'Memory', get: (s) => memoryText(s.memory) });
  if (flags.info) cols.push({ header: 'Info', get: tcpInfoText });
  if (flags.csv) cli.o.out(renderCsv(snap.sockets, cols, flags.header));
  else cli.o.out(renderTable(snap.sockets, cols, { header: flags.header }));
}
