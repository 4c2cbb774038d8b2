/** `--lang en|zh`, shared by the commands that explain (explain, doctor): default from the locale. */
import { UsageError } from '../errors.js';
import { langFromEnv, parseLang } from '../tcp/knowledge/lang.js';
import { LANGS, type Lang } from '../tcp/knowledge/types.js';
import type { OptionSpec } from './command-spec.js';
import type { Cli } from './output.js';

/** `--lang`. */
export const LANG_OPTION: OptionSpec = {
  flags: '--lang <lang>',
  description: `language: ${LANGS.join(' or ')} (default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en)`,
};

/** The language asked for by `--lang`, or the locale's. @throws UsageError on an unknown language */
export function langOf(flags: { lang?: string }, cli: Cli): Lang {
  if (flags.lang === undefined) return langFromEnv(cli.env);
  const lang = parseLang(flags.lang);
  if (!lang) throw new UsageError(`unknown language '${flags.lang}': valid are ${LANGS.join(', ')}`);
  return lang;
}
