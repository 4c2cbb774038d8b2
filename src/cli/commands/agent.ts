/**
 * `tcpscope agent`: `/metrics` (Prometheus) and `/healthz` only, for every host of a fleet. Readings
 * are taken in the background every `--interval`; a scrape returns the last one at once.
 */
import { startAgentSampler } from '../../agent/sampler.js';
import { startAgentServer } from '../../agent/server.js';
import { keepCompiledCode } from '../long-running.js';
import type { Cli } from '../output.js';
import { type ServerFlags, serverOptions, serveUntilInterrupted } from '../server-options.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';
import { VERSION } from '../version.js';

interface Flags extends SourceFlags, ServerFlags {
  interval: string;
  maxPorts: string;
  maxProcesses: string;
  maxDestinations: string;
  trace: boolean;
  set: string[];
  ownersEvery: string;
}

/** Runs `agent` until Ctrl-C or SIGTERM. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  keepCompiledCode();
  const { token, ...listen } = serverOptions(flags, 'your Prometheus');
  const intervalMs = parseIntFlag('--interval', flags.interval, 1, 3600) * 1000;
  const caps = {
    ports: parseIntFlag('--max-ports', flags.maxPorts, 1, 10_000),
    processes: parseIntFlag('--max-processes', flags.maxProcesses, 1, 10_000),
    destinations: parseIntFlag('--max-destinations', flags.maxDestinations, 1, 10_000),
  };
  const sampler = await startAgentSampler({
    ...sourceOptions(flags),
    intervalMs,
    caps,
    trace: flags.trace !== false,
    sets: flags.set ?? [],
    ownersEvery: parseIntFlag('--owners-every', flags.ownersEvery, 1, 1000),
    version: VERSION,
    note: (l) => cli.o.note(l),
  });
  await serveUntilInterrupted(
    cli,
    listen,
    () => startAgentServer(sampler, { ...listen, ...(token !== undefined ? { token } : {}) }),
    () => sampler.stop(),
    (url) => `serving ${url}/metrics and /healthz, a reading every ${intervalMs / 1000} s`,
  );
}
