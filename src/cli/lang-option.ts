/** `--lang en|zh`, shared by the commands that explain (explain, doctor): default from the locale. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { langFromEnv, parseLang } from '../tcp/knowledge/lang.js';
import { LANGS, type Lang } from '../tcp/knowledge/types.js';
import type { Cli } from './output.js';

/** Adds `--lang`. */
export function addLangOption(cmd: Command): Command {
  return cmd.option(
    '--lang <lang>',
    `language: ${LANGS.join(' or ')} (default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh, else en)`,
  );
}

/** The language asked for by `--lang`, or the locale's. @throws UsageError on an unknown language */
export function langOf(flags: { lang?: string }, cli: Cli): Lang {
  if (flags.lang === undefined) return langFromEnv(cli.env);
  const lang = parseLang(flags.lang);
  if (!lang) throw new UsageError(`unknown language '${flags.lang}': valid are ${LANGS.join(', ')}`);
  return lang;
}
