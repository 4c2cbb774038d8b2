/** `tcpscope count`: sockets per state, or state by port, process, peer or local address. */
import { UsageError } from '../../errors.js';
import { type Column, renderTable } from '../../render/table.js';
import { COUNT_KEYS, type CountByResult, type CountKey } from '../../snapshot/aggregate.js';
import type { FilterSpec } from '../../snapshot/filter.js';
import { kernelFilter } from '../../snapshot/kernel-filter.js';
import { selectSockets } from '../../snapshot/select.js';
import { countStatesFast, type SnapshotOptions } from '../../snapshot/take.js';
import { TCP_STATES } from '../../tcp/states.js';
import { countsView, countView } from '../../views/count.js';
import type { Cli } from '../output.js';
import { stateColour } from '../paint-state.js';
import { warnSnapshot } from '../snapshot-output.js';
import {
  type FilterFlags,
  filterSpec,
  parseIntFlag,
  type SourceFlags,
  sourceOptions,
} from '../socket-options.js';
import { renderStateCounts } from '../state-counts.js';

interface CountFlags extends FilterFlags, SourceFlags {
  by?: string;
  top: string;
  json?: boolean;
  header: boolean;
}

/** Runs `count`. */
export async function run(cli: Cli, flags: CountFlags): Promise<void> {
  const by = flags.by === undefined ? undefined : parseBy(flags.by);
  const top = parseIntFlag('--top', flags.top, 1, 1_000_000);
  const spec = filterSpec(flags);
  if (by === undefined && (await countFast(cli, flags, spec))) return;
  const snap = await selectSockets({ ...sourceOptions(flags), owners: by === 'process' }, spec);
  warnSnapshot(cli, snap);
  if (by === undefined) {
    const counts = countView(snap.sockets);
    if (flags.json) cli.o.out(`${JSON.stringify(counts)}\n`);
    else cli.o.out(renderStateCounts(cli, counts.states, counts.total, flags.header));
    return;
  }
  const result = countView(snap.sockets, { by, top });
  if (flags.json) cli.o.out(`${JSON.stringify(result)}\n`);
  else cli.o.out(renderCrossTab(cli, result, flags.header));
}

/**
 * The fast path: states counted from the kernel's (or procfs's) state field without building
 * sockets, as `netstat -nat | awk ... | uniq -c` would; with netlink, ports and addresses are
 * filtered by the kernel. False when the filter needs sockets after all.
 */
async function countFast(cli: Cli, flags: CountFlags, spec: FilterSpec): Promise<boolean> {
  const onlyStates = Object.keys(spec).every((k) => k === 'states' || k === 'family');
  const k = onlyStates ? undefined : kernelFilter(spec);
  if (!onlyStates && !k?.exact) return false;
  const opts: SnapshotOptions = sourceOptions(flags);
  if (spec.states !== undefined) opts.stateMask = spec.states;
  if (spec.family !== undefined) opts.families = [spec.family];
  if (k) opts.filter = k.expr;
  const result = await countStatesFast(opts);
  if (!result) return false;
  const { malformed, warnings } = result;
  const counts = countsView(result);
  for (const w of warnings) cli.o.note(w);
  if (malformed > 0) cli.o.note(`${malformed} malformed line(s) or message(s) skipped`);
  if (flags.json) cli.o.out(`${JSON.stringify(counts)}\n`);
  else cli.o.out(renderStateCounts(cli, counts.states, counts.total, flags.header));
  return true;
}

function parseBy(text: string): CountKey {
  const k = text.toLowerCase();
  if (!(COUNT_KEYS as readonly string[]).includes(k)) {
    throw new UsageError(`--by: unknown key '${text}': valid are ${COUNT_KEYS.join(', ')}`);
  }
  return k as CountKey;
}

function renderCrossTab(cli: Cli, r: CountByResult, header: boolean): string {
  const present = TCP_STATES.filter((st) => r.rows.some((row) => row.states[st]));
  const cols: Column<(typeof r.rows)[number]>[] = [
    { header: r.by.toUpperCase(), get: (row) => row.key },
    { header: 'TOTAL', get: (row) => String(row.total), align: 'right' },
    ...present.map(
      (st): Column<(typeof r.rows)[number]> => ({
        header: st,
        get: (row) => String(row.states[st] ?? 0),
        align: 'right',
        paint: (p, v) => (v === '0' ? p : stateColour(cli.o, st, p)),
      }),
    ),
  ];
  return renderTable(r.rows, cols, { header });
}
