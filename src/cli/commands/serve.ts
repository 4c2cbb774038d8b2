/**
 * `tcpscope serve`: the live page (the diagram with live counts, charts per state, the connection
 * table with the `ls` filters, findings, rates, listeners, transitions), its JSON API and
 * `/metrics`, on 127.0.0.1:9465 by default; readings every `--interval` in the background.
 */
import { createApp } from '../../serve/app.js';
import { loadAssets } from '../../serve/assets.js';
import { startHub } from '../../serve/hub.js';
import { listenApp } from '../../serve/server.js';
import { keepCompiledCode } from '../long-running.js';
import type { Cli } from '../output.js';
import { type ServerFlags, serverOptions, serveUntilInterrupted } from '../server-options.js';
import { parseIntFlag, parseSecondsFlag, type SourceFlags, sourceOptions } from '../socket-options.js';
import { VERSION } from '../version.js';

interface Flags extends SourceFlags, ServerFlags {
  interval: string;
  ownersEvery: string;
  trace: boolean;
  db?: string;
}

export async function run(cli: Cli, flags: Flags): Promise<void> {
  keepCompiledCode();
  const { token, ...listen } = serverOptions(flags, 'you');
  const intervalMs = parseSecondsFlag('--interval', flags.interval, 0.2, 3600);
  const assets = loadAssets();
  // The recorder's history, read-only, for the charts beyond what this server has seen itself.
  const history =
    flags.db !== undefined
      ? await (await import('../../store/index.js')).openHistory(flags.db, { readonly: true })
      : undefined;
  const source = sourceOptions(flags);
  const hub = await startHub({
    ...(source.procRoot !== undefined ? { procRoot: source.procRoot } : {}),
    ...(source.netns !== undefined ? { netns: source.netns } : {}),
    ...(source.netnsPid !== undefined ? { netnsPid: source.netnsPid } : {}),
    ...(source.source !== undefined ? { source: source.source } : {}),
    intervalMs,
    ownersEvery: parseIntFlag('--owners-every', flags.ownersEvery, 1, 1000),
    doctorEvery: 5,
    cmdline: true,
    trace: flags.trace !== false,
    note: (l) => cli.o.note(l),
  });
  const app = createApp({
    hub,
    assets,
    listen,
    ...(token !== undefined ? { token } : {}),
    ...(history ? { history: async (q: { from?: number; to?: number }) => history.series(q) } : {}),
    version: VERSION,
  });
  await serveUntilInterrupted(
    cli,
    listen,
    () => listenApp(app, listen),
    async () => {
      await hub.stop();
      history?.close();
    },
    (url) => `serving ${url}/ (${hub.where}), a reading every ${intervalMs / 1000} s`,
  );
}
