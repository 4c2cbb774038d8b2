/**
 * Tables driven by a column list: `(rows, columns, options) => string`. CSV is the same rows in
 * another shape. Pure.
 */
import { textWidth } from './width.js';

/** Display width in terminal columns (width.ts), for callers that lay out beside a table. */
export { textWidth };

export interface Column<T> {
  header: string;
  get: (row: T) => string;
  align?: 'left' | 'right';
  /** Paints a padded cell (colour on a terminal); gets the raw value too. */
  paint?: (padded: string, value: string) => string;
}

export interface TableOptions {
  header?: boolean;
  /** Spaces between columns. */
  gap?: number;
}

/** Aligned columns, the last one left unpadded. */
export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  opts: TableOptions = {},
): string {
  const header = opts.header ?? true;
  const gap = spaces(opts.gap ?? 2);
  const n = columns.length;
  // One flat array of cells and one of their widths (100,000-row tables: ls at scale spend their
  // time here, and per-row arrays and repeated width scans showed up as garbage collection).
  const cells = new Array<string>(rows.length * n);
  const cellWidths = new Uint32Array(rows.length * n);
  const widths = columns.map((c) => (header ? textWidth(c.header) : 0));
  for (let r = 0, k = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let i = 0; i < n; i++, k++) {
      const v = columns[i]!.get(row);
      const w = textWidth(v);
      cells[k] = v;
      cellWidths[k] = w;
      if (w > widths[i]!) widths[i] = w;
    }
  }
  const painted = columns.map((c) => c.paint);
  const right = columns.map((c) => c.align === 'right');
  const line = (get: (i: number) => string, width: (i: number) => number, paint: boolean): string => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const v = get(i);
      const fill = widths[i]! - width(i);
      const last = i === n - 1;
      const padded = fill <= 0 ? v : right[i] ? spaces(fill) + v : last ? v : v + spaces(fill);
      const p = paint ? painted[i] : undefined;
      out += (i > 0 ? gap : '') + (p ? p(padded, v) : padded);
    }
    return out.charCodeAt(out.length - 1) === 0x20 ? out.trimEnd() : out;
  };
  const lines: string[] = [];
  if (header) {
    lines.push(
      line(
        (i) => columns[i]!.header,
        (i) => textWidth(columns[i]!.header),
        false,
      ),
    );
  }
  for (let base = 0; base < cells.length; base += n) {
    lines.push(
      line(
        (i) => cells[base + i]!,
        (i) => cellWidths[base + i]!,
        true,
      ),
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const SPACES: string[] = [];

/** `n` spaces, cached: padding makes the same few lengths over and over. */
function spaces(n: number): string {
  let s = SPACES[n];
  if (s === undefined) {
    s = ' '.repeat(n);
    if (n < 256) SPACES[n] = s;
  }
  return s;
}

/** RFC 4180 CSV of the same columns. */
export function renderCsv<T>(rows: readonly T[], columns: readonly Column<T>[], header = true): string {
  const esc = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines: string[] = [];
  if (header) lines.push(columns.map((c) => esc(c.header)).join(','));
  for (const r of rows) lines.push(columns.map((c) => esc(c.get(r))).join(','));
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** A bar of `width` cells for value/max, in eighths. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  return '█'.repeat(full) + (rest ? ' ▏▎▍▌▋▊▉'[rest] : '');
}
