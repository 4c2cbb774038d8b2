/**
 * Terminal sparklines (pure): a series as block characters ▁▂▃▄▅▆▇█, at most `width` of them. A
 * longer series is cut into `width` stretches, each drawn at its highest value, so a short burst
 * still shows. The scale runs from 0 (or the lowest value, when every value is far above 0) to the
 * highest; a series of zeros is a flat ▁ line.
 */

export const BLOCKS = '▁▂▃▄▅▆▇█';

/** The values a sparkline of at most `width` characters draws: the maximum of each stretch. */
export function downsampleMax(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const a = Math.floor((i * values.length) / width);
    const b = Math.max(a + 1, Math.floor(((i + 1) * values.length) / width));
    let m = -Infinity;
    for (let j = a; j < b; j++) m = Math.max(m, values[j]!);
    out.push(m);
  }
  return out;
}

/**
 * `values` as at most `width` block characters. `fromZero` keeps the scale's foot at 0 even when
 * every value is far above it (a live view, where a level should not look like a swing).
 */
export function sparkline(values: readonly number[], width = 40, opts: { fromZero?: boolean } = {}): string {
  const v = downsampleMax(values, Math.max(1, width));
  if (v.length === 0) return '';
  const max = Math.max(...v);
  const min = Math.min(...v);
  // From 0, unless the series never comes near it (then its movement would be a flat top line).
  const lo = !opts.fromZero && min > max / 2 ? min : 0;
  if (max <= lo) return (max === 0 ? BLOCKS[0]! : BLOCKS[3]!).repeat(v.length);
  let out = '';
  for (const x of v) out += BLOCKS[Math.min(7, Math.floor(((x - lo) / (max - lo)) * 7.999))]!;
  return out;
}
