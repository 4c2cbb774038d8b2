/**
 * Sequence-number arithmetic modulo 2^32: comparisons look at the signed 32-bit difference, so a
 * number just after a wrap is still "after" one just before it.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.4 (sequence numbers, "=<" means modulo 2^32)
 * @see include/net/tcp.h before(), after()
 */

/** `a + n` modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Whether `a` comes before `b` (Linux `before()`). */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** Whether `a` comes before or equals `b`. */
export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** Whether `a` comes after `b` (Linux `after()`). */
export function seqGt(a: number, b: number): boolean {
  return seqLt(b, a);
}

/** `b - a` as a count, for `a` before or equal to `b`. */
export function seqDiff(a: number, b: number): number {
  return (b - a) >>> 0;
}
