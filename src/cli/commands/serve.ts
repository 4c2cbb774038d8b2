/**
 * `tcpscope serve`: the live page (the diagram with live counts, charts per state, the connection
 * table with the `ls` filters, findings, rates, listeners, transitions), its JSON API and
 * `/metrics`, on 127.0.0.1:9465 by default; readings every `--interval` in the background.
 */
import { EnvironmentError, UsageError } from '../../errors.js';
import { listenUrlHost } from '../../net/listen.js';
import { createApp } from '../../serve/app.js';
import { loadAssets } from '../../serve/assets.js';
import { startHub } from '../../serve/hub.js';
import { listenApp } from '../../serve/server.js';
import type { Cli } from '../output.js';
import { type ServerFlags, serverOptions } from '../server-options.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';
import { VERSION } from '../version.js';

interface Flags extends SourceFlags, ServerFlags {
  interval: string;
  ownersEvery: string;
  trace: boolean;
  db?: string;
}

export async function run(cli: Cli, flags: Flags): Promise<void> {
  const { token, ...listen } = serverOptions(flags, 'you');
  const seconds = Number(flags.interval);
  if (!/^\d+(\.\d+)?$/.test(flags.interval) || seconds < 0.2 || seconds > 3600)
    throw new UsageError(`--interval: '${flags.interval}' is not a number of seconds from 0.2 to 3600`);
  const assets = loadAssets();
  // The recorder's history, read-only, for the charts beyond what this server has seen itself.
  const store = flags.db !== undefined ? await import('../../store/index.js') : undefined;
  const history =
    store && flags.db !== undefined ? await store.openHistory(flags.db, { readonly: true }) : undefined;
  const source = sourceOptions(flags);
  const hub = await startHub({
    ...(source.procRoot !== undefined ? { procRoot: source.procRoot } : {}),
    ...(source.netns !== undefined ? { netns: source.netns } : {}),
    ...(source.netnsPid !== undefined ? { netnsPid: source.netnsPid } : {}),
    intervalMs: Math.round(seconds * 1000),
    ownersEvery: parseIntFlag('--owners-every', flags.ownersEvery, 1, 1000),
    doctorEvery: 5,
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
  let server: Awaited<ReturnType<typeof listenApp>>;
  try {
    server = await listenApp(app, listen);
  } catch (e) {
    await hub.stop();
    history?.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(`cannot listen on ${flags.listen}: ${code ?? (e as Error).message}`);
  }
  cli.o.note(`serving http://${listenUrlHost(listen)}/ (${hub.where}), a reading every ${seconds} s`);
  await new Promise<void>((resolve) => {
    const off = cli.onInterrupt?.(() => {
      off?.();
      resolve();
    });
    if (!cli.onInterrupt) resolve();
  });
  server.close();
  server.closeAllConnections();
  await hub.stop();
  history?.close();
}
