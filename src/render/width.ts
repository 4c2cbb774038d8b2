/**
 * Display width in terminal columns: East Asian Wide and Fullwidth characters (CJK, Hangul, full-width
 * forms, the ideographs beyond the BMP, wide emoji) take two, everything else one; ambiguous ones
 * count as narrow, as terminals outside East Asian locales show them. Unicode's table comes from
 * `get-east-asian-width`; text that is all below U+1100 (every ASCII table cell) never reaches it.
 * Pure.
 * @see https://www.unicode.org/reports/tr11/
 */
import { eastAsianWidth } from 'get-east-asian-width';

const NARROW = { ambiguousAsWide: false } as const;

/** Columns of one code point: 1 or 2. */
export function charWidth(codePoint: number): 1 | 2 {
  return codePoint < 0x1100 ? 1 : eastAsianWidth(codePoint, NARROW);
}

/** Whether a character (one code point) takes two columns. */
export function isWide(ch: string): boolean {
  return charWidth(ch.codePointAt(0) ?? 0) === 2;
}

/** Display width of a string: its length when every code unit is below U+1100, else summed per code point. */
export function textWidth(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x1100) i++;
  if (i === s.length) return s.length;
  let w = i;
  for (const ch of s.slice(i)) w += charWidth(ch.codePointAt(0)!);
  return w;
}
