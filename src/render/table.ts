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
  /**
   * The columns' widths so far: each column is at least this wide, and the array is widened to what
   * these rows need (a table written in batches keeps its columns from one batch to the next).
   */
  widths?: number[];
}

/** Aligned columns, the last one left unpadded. */
export function renderTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  opts: TableOptions = {},
): string {
  const parts: string[] = [];
  writeTable(rows, columns, (text) => parts.push(text), opts);
  return parts.join('');
}

/** About how many characters `writeTable` hands over at a time. */
const CHUNK = 64 * 1024;

/**
 * renderTable handed to `write` in pieces of whole lines. Two passes over the rows, the first for
 * the column widths: a table of 100,000 rows never exists whole, neither as one string nor as its
 * cells, which the peak memory of `ls` would otherwise pay (each cell is made twice instead).
 */
export function writeTable<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  write: (text: string) => void,
  opts: TableOptions = {},
): void {
  const header = opts.header ?? true;
  const gap = spaces(opts.gap ?? 2);
  const n = columns.length;
  const gets = columns.map((c) => c.get);
  const widths = opts.widths ?? [];
  for (let i = 0; i < n; i++) {
    const w = header ? textWidth(columns[i]!.header) : 0;
    if (widths[i] === undefined || w > widths[i]!) widths[i] = w;
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let i = 0; i < n; i++) {
      const w = textWidth(gets[i]!(row));
      if (w > widths[i]!) widths[i] = w;
    }
  }
  const painted = columns.map((c) => c.paint);
  const right = columns.map((c) => c.align === 'right');
  const line = (get: (i: number) => string, paint: boolean): string => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const v = get(i);
      const fill = widths[i]! - textWidth(v);
      const last = i === n - 1;
      const padded = fill <= 0 ? v : right[i] ? spaces(fill) + v : last ? v : v + spaces(fill);
      const p = paint ? painted[i] : undefined;
      out += (i > 0 ? gap : '') + (p ? p(padded, v) : padded);
    }
    return out.charCodeAt(out.length - 1) === 0x20 ? out.trimEnd() : out;
  };
  let chunk = header ? `${line((i) => columns[i]!.header, false)}\n` : '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    chunk += `${line((i) => gets[i]!(row), true)}\n`;
    if (chunk.length >= CHUNK) {
      write(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) write(chunk);
}

/**
 * A table of rows that arrive one at a time and may never fit in memory (the connections of a
 * capture): the first `settle` rows are held to learn the column widths, then every row is written
 * as it comes, in batches. A later cell wider than its column widens the column from the next batch
 * on; the lines before stay as they were written.
 */
export class TableStream<T> {
  private held: T[] = [];
  private readonly widths: number[] = [];
  private started = false;

  constructor(
    private readonly columns: readonly Column<T>[],
    private readonly write: (text: string) => void,
    private readonly opts: { header?: boolean; gap?: number; settle?: number; batch?: number } = {},
  ) {}

  push(row: T): void {
    this.held.push(row);
    const limit = this.started ? (this.opts.batch ?? 256) : (this.opts.settle ?? 1000);
    if (this.held.length >= limit) this.flush();
  }

  /** Writes what is held (the header too when nothing was written yet). */
  end(): void {
    if (this.held.length > 0 || !this.started) this.flush();
  }

  private flush(): void {
    const header = !this.started && (this.opts.header ?? true);
    const gap = this.opts.gap;
    writeTable(this.held, this.columns, this.write, {
      header,
      widths: this.widths,
      ...(gap === undefined ? {} : { gap }),
    });
    this.started = true;
    this.held = [];
  }
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
