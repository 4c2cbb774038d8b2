/** `ls --summary`: the `ss -s` view, as text or JSON. */
import type { CounterTables } from '../kernel/counters-types.js';
import { type Column, renderTable } from '../render/table.js';
import { takeSummary } from '../snapshot/summary.js';
import type { SnapshotOptions } from '../snapshot/take.js';
import type { Cli } from './output.js';
import { renderStateCounts } from './state-counts.js';

/** Prints the summary of a namespace's sockets. */
export async function printSummary(cli: Cli, opts: SnapshotOptions, json: boolean): Promise<void> {
  const { warnings, ...sum } = await takeSummary(opts);
  for (const w of warnings) cli.o.note(w);
  if (json) {
    cli.o.out(`${JSON.stringify(sum)}\n`);
    return;
  }
  const st = sum.sockstat;
  const t = sum.tcp;
  // ss -s's first two lines, with its definitions; in a namespace, say which figures are the host's.
  const lines = [
    `Total: ${st['sockets']?.['used'] ?? 0}`,
    `TCP:   ${t.total} (estab ${t.estab}, closed ${t.closed}, orphaned ${t.orphaned}, timewait ${t.timewait})`,
  ];
  if (sum.hostWide) {
    lines.push(
      "       (total, closed and orphaned are the whole host's: sockstat's TCP alloc and orphan are host-wide)",
    );
  }
  lines.push(
    '',
    transportTable(st).trimEnd(),
    '',
    `TCP sockets in the table, per state${sum.netns?.name ? ` (netns ${sum.netns.name})` : ''}:`,
    renderStateCounts(cli, sum.states, sum.total).trimEnd(),
  );
  cli.o.out(`${lines.join('\n')}\n`);
}

function transportTable(st: CounterTables): string {
  const get = (proto: string): number => st[proto]?.['inuse'] ?? 0;
  const rows = ['RAW', 'UDP', 'TCP', 'FRAG'].map((p) => ({ p, v4: get(p), v6: get(`${p}6`) }));
  const inet = ['RAW', 'UDP', 'TCP'].map((p) => rows.find((r) => r.p === p)!);
  rows.splice(3, 0, {
    p: 'INET',
    v4: inet.reduce((a, r) => a + r.v4, 0),
    v6: inet.reduce((a, r) => a + r.v6, 0),
  });
  const cols: Column<(typeof rows)[number]>[] = [
    { header: 'Transport', get: (r) => r.p },
    { header: 'Total', get: (r) => String(r.v4 + r.v6), align: 'right' },
    { header: 'IP', get: (r) => String(r.v4), align: 'right' },
    { header: 'IPv6', get: (r) => String(r.v6), align: 'right' },
  ];
  return renderTable(rows, cols);
}
