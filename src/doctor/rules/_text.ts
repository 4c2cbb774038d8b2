/** Titles in the input's language. */
import type { DoctorInput } from '../types.js';

/** `en` or `zh`, as the input asks. */
export function tr(input: Pick<DoctorInput, 'lang'>, en: string, zh: string): string {
  return input.lang === 'zh' ? zh : en;
}
