/**
 * Choosing the language: `--lang` when given, else the locale the environment names. Pure: the
 * caller passes the environment in.
 */
import { LANGS, type Lang } from './types.js';

/**
 * The language the locale variables ask for: Chinese when the first one set starts with `zh`
 * (`zh_CN.UTF-8`, `zh_TW`), English otherwise. POSIX order: LC_ALL overrides LC_MESSAGES, which
 * overrides LANG; empty values count as unset.
 */
export function langFromEnv(env: Readonly<Record<string, string | undefined>>): Lang {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value) return value.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }
  return 'en';
}

/** A `--lang` value to a language (`en`, `zh`, also `zh_CN`, `en-US`, any case), or undefined. */
export function parseLang(word: string): Lang | undefined {
  const w = word.trim().toLowerCase();
  return LANGS.find((l) => w === l || w.startsWith(`${l}_`) || w.startsWith(`${l}-`));
}
