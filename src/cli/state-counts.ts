/** Counts per state as a table: `count`'s answer, also in `ls --summary`. */
import { bar, type Column, renderTable } from '../render/table.js';
import type { TcpState } from '../tcp/states.js';
import type { Cli } from './output.js';
import { stateColour } from './paint-state.js';

/** States by count, largest first, with bars on a terminal, and the total. */
export function renderStateCounts(
  cli: Cli,
  states: Partial<Record<TcpState, number>>,
  total: number,
  header = true,
): string {
  const rows = (Object.entries(states) as [TcpState, number][]).sort((a, b) => b[1] - a[1]);
  const max = rows[0]?.[1] ?? 0;
  const cols: Column<[string, number]>[] = [
    { header: 'STATE', get: (r) => r[0], paint: (p, v) => stateColour(cli.o, v, p) },
    { header: 'COUNT', get: (r) => String(r[1]), align: 'right' },
  ];
  if (cli.o.tty) cols.push({ header: '', get: (r) => (r[0] === 'TOTAL' ? '' : bar(r[1], max, 30)) });
  return renderTable([...rows, ['TOTAL', total] as [string, number]], cols, { header });
}
