/**
 * `tcpscope stat` as text, laid out like sar: a block per view, its header line stamped with the
 * interval's start and its value line with the end, rates with two decimals, levels as integers, and
 * "Average:" blocks at the end. Pure: times come in as Dates.
 */
import { SAR_COLUMNS, type SarRow, type SarView } from '../stats/sar.js';

const LABEL = 10;
const MIN_WIDTH = 9;

/** HH:MM:SS in local time, as sar prints under LC_TIME=C. */
export function clockLabel(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One view's block: a blank line, the header line, the value line. */
export function renderSarBlock(view: SarView, startLabel: string, endLabel: string, row: SarRow): string {
  const cols = SAR_COLUMNS[view];
  let head = startLabel.padEnd(LABEL);
  let line = endLabel.padEnd(LABEL);
  for (const c of cols) {
    const w = Math.max(MIN_WIDTH, c.header.length);
    const v = row[c.key];
    const text =
      v === null || v === undefined ? '-' : c.kind === 'rate' ? v.toFixed(2) : String(Math.round(v));
    head += ` ${c.header.padStart(w)}`;
    line += ` ${text.padStart(w)}`;
  }
  return `\n${head}\n${line}\n`;
}

/** The first line: the kernel, the host, the date and the namespace read. */
export function renderSarTitle(release: string, host: string, day: Date, netns?: string): string {
  const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
  return `Linux ${release} (${host})  ${date}${netns ? `  netns ${netns}` : ''}\n`;
}

/** A row for JSON: rates rounded to two decimals as printed, levels to integers (averages to two decimals). */
export function sarJsonRow(view: SarView, row: SarRow, average = false): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const c of SAR_COLUMNS[view]) {
    const v = row[c.key] ?? null;
    out[c.key] = v === null ? null : c.kind === 'rate' || average ? Math.round(v * 100) / 100 : Math.round(v);
  }
  return out;
}
