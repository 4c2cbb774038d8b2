/** Module hooks for start-up tests: appends the URL of every module loaded to $TCPSCOPE_LOADED_LOG. */
import { appendFileSync } from 'node:fs';
import type { LoadHook } from 'node:module';

export const load: LoadHook = (url, context, next) => {
  const log = process.env['TCPSCOPE_LOADED_LOG'];
  if (log && url.startsWith('file:')) appendFileSync(log, `${url}\n`);
  return next(url, context);
};
