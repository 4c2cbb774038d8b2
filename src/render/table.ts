/**
 * Tables driven by a column list: `(rows, columns, options) => string`. CSV is the same rows in
 * another shape. Pure.
 */

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
  const gap = ' '.repeat(opts.gap ?? 2);
  const cells = rows.map((r) => columns.map((c) => c.get(r)));
  const widths = columns.map((c, i) => {
    let w = header ? textWidth(c.header) : 0;
    for (const row of cells) w = Math.max(w, textWidth(row[i]!));
    return w;
  });
  const lines: string[] = [];
  const n = columns.length;
  // Built by concatenation: 100,000-row tables (ls at scale) spend their time here.
  const line = (values: string[], painted: boolean): string => {
    let out = '';
    for (let i = 0; i < n; i++) {
      const c = columns[i]!;
      const v = values[i]!;
      const padded = pad(v, widths[i]!, c.align ?? 'left', i === n - 1);
      out += (i > 0 ? gap : '') + (painted && c.paint ? c.paint(padded, v) : padded);
    }
    return out.trimEnd();
  };
  if (header)
    lines.push(
      line(
        columns.map((c) => c.header),
        false,
      ),
    );
  for (const row of cells) lines.push(line(row, true));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function pad(v: string, width: number, align: 'left' | 'right', last: boolean): string {
  const fill = width - textWidth(v);
  if (fill <= 0) return v;
  if (align === 'right') return ' '.repeat(fill) + v;
  return last ? v : v + ' '.repeat(fill);
}

/** Display width: CJK characters take two columns. */
export function textWidth(s: string): number {
  let narrow = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x1100) {
      narrow = false;
      break;
    }
  }
  if (narrow) return s.length;
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w +=
      c >= 0x1100 &&
      (c <= 0x115f ||
        (c >= 0x2e80 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) ||
        (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) ||
        (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6))
        ? 2
        : 1;
  }
  return w;
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
