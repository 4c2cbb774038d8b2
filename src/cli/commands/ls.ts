/** `tcpscope ls`: every TCP socket, like `ss -tan` (and `-p`, `-o`, `-e`), with filters. */
import { UsageError } from '../../errors.js';
import { renderCsv, writeTable } from '../../render/table.js';
import type { FilterSpec } from '../../snapshot/filter.js';
import { selectSockets } from '../../snapshot/select.js';
import { SORT_KEYS, type SortKey, sortSockets } from '../../snapshot/sort.js';
import { streamable, streamSocketsJson } from '../../snapshot/stream-json.js';
import type { Snapshot } from '../../tcp/socket.js';
import { BOUND_INACTIVE, maskOf } from '../../tcp/state-names.js';
import { lsView } from '../../views/ls.js';
import { printSummary } from '../ls-summary.js';
import type { Cli } from '../output.js';
import { BASE_COLUMNS, socketColumns, warnSnapshot } from '../snapshot-output.js';
import { type FilterFlags, filterSpec, type SourceFlags, sourceOptions } from '../socket-options.js';

interface LsFlags extends FilterFlags, SourceFlags {
  processes?: boolean;
  timers?: boolean;
  extended?: boolean;
  info?: boolean;
  memory?: boolean;
  summary?: boolean;
  allNetns?: boolean;
  bound?: boolean;
  sort?: string;
  reverse?: boolean;
  json?: boolean;
  csv?: boolean;
  header: boolean;
}

/** The state bound-but-idle sockets come back in. */
const CLOSE_BIT = maskOf('CLOSE');

/** Runs `ls`. */
export async function run(cli: Cli, flags: LsFlags): Promise<void> {
  const spec = filterSpec(flags);
  if (flags.bound) spec.states = (spec.states ?? 0) | BOUND_INACTIVE | CLOSE_BIT;
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
  if (flags.bound && snap.source === 'procfs') {
    cli.o.note('--bound: /proc/net/tcp does not list sockets bound but idle; netlink does (Linux 6.7+)');
  }
  if (sortKeys) sortSockets(snap.sockets, sortKeys, flags.reverse ?? false);
  if (flags.json) cli.o.out(`${JSON.stringify(lsView(snap))}\n`);
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
  return !f.processes && !f.info && !f.memory && !f.allNetns && !f.csv && !f.bound;
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
  const cols = socketColumns(cli, [
    snap.namespaces !== undefined && 'netns',
    ...BASE_COLUMNS,
    flags.timers && 'timer',
    flags.extended && 'uid',
    flags.extended && 'inode',
    flags.processes && 'process',
    flags.memory && 'memory',
    flags.info && 'info',
  ]);
  if (flags.csv) cli.o.out(renderCsv(snap.sockets, cols, flags.header));
  else writeTable(snap.sockets, cols, (text) => cli.o.out(text), { header: flags.header });
}
