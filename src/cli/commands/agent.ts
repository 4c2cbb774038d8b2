/**
 * `tcpscope agent`: `/metrics` (Prometheus) and `/healthz` only, for every host of a fleet. Readings
 * are taken in the background every `--interval`; a scrape returns the last one at once.
 */
import { readFileSync } from 'node:fs';
import { startAgentSampler } from '../../agent/sampler.js';
import { isLoopback, parseListen, startAgentServer } from '../../agent/server.js';
import { EnvironmentError, UsageError } from '../../errors.js';
import type { Cli } from '../output.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';
import { VERSION } from '../version.js';

interface Flags extends SourceFlags {
  listen: string;
  token?: string;
  tokenFile?: string;
  interval: string;
  maxPorts: string;
  maxProcesses: string;
  maxDestinations: string;
  trace: boolean;
  set: string[];
  ownersEvery: string;
}

function tokenOf(flags: Flags): string | undefined {
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw new UsageError('--token and --token-file exclude each other');
  let token = flags.token;
  if (flags.tokenFile !== undefined) {
    try {
      token = readFileSync(flags.tokenFile, 'utf8').trim();
    } catch (e) {
      throw new EnvironmentError(
        `--token-file ${flags.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }
  if (token !== undefined && token.length < 16)
    throw new UsageError('the token must have at least 16 characters (e.g. openssl rand -hex 16)');
  return token;
}

/** Runs `agent` until Ctrl-C or SIGTERM. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  let listen: { host: string; port: number };
  try {
    listen = parseListen(flags.listen);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const token = tokenOf(flags);
  if (!isLoopback(listen.host) && token === undefined)
    throw new UsageError(
      `--listen ${flags.listen} is not loopback: give --token or --token-file, so only your Prometheus reads it`,
    );
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
  let server: Awaited<ReturnType<typeof startAgentServer>>;
  try {
    server = await startAgentServer(sampler, { ...listen, ...(token !== undefined ? { token } : {}) });
  } catch (e) {
    await sampler.stop();
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(`cannot listen on ${flags.listen}: ${code ?? (e as Error).message}`);
  }
  const where = listen.host.includes(':')
    ? `[${listen.host}]:${listen.port}`
    : `${listen.host}:${listen.port}`;
  cli.o.note(`serving http://${where}/metrics and /healthz, a reading every ${intervalMs / 1000} s`);
  await new Promise<void>((resolve) => {
    const off = cli.onInterrupt?.(() => {
      off?.();
      resolve();
    });
    if (!cli.onInterrupt) resolve();
  });
  server.close();
  server.closeAllConnections();
  await sampler.stop();
}
