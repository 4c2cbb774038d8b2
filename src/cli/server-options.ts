/**
 * The flags every server takes: `--listen`, `--token`, `--token-file`; a token is required off
 * loopback, so only whoever holds it reads the machine's sockets.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { EnvironmentError, UsageError } from '../errors.js';
import { isLoopbackHost, listenUrlHost, parseListen } from '../net/listen.js';
import type { Cli } from './output.js';

export interface ServerFlags {
  listen: string;
  token?: string;
  tokenFile?: string;
}

function tokenOf(flags: ServerFlags): string | undefined {
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

/** Where to listen and the token, checked: a UsageError for a bad address or a missing token off loopback. */
export function serverOptions(
  flags: ServerFlags,
  who: string,
): { host: string; port: number; token?: string } {
  let listen: { host: string; port: number };
  try {
    listen = parseListen(flags.listen);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const token = tokenOf(flags);
  if (!isLoopbackHost(listen.host) && token === undefined)
    throw new UsageError(
      `--listen ${flags.listen} is not loopback: give --token or --token-file, so only ${who} reads it`,
    );
  return { ...listen, ...(token !== undefined ? { token } : {}) };
}

/**
 * Listens with `listen()`, says where on stderr (`serving http://HOST:PORT...`), and serves until
 * Ctrl-C or SIGTERM; then closes every connection and calls `stop` (which also runs when listening
 * fails, turned into one line naming the address).
 */
export async function serveUntilInterrupted(
  cli: Cli,
  at: { host: string; port: number },
  listen: () => Promise<Server>,
  stop: () => Promise<void>,
  serving: (url: string) => string,
): Promise<void> {
  let server: Server;
  try {
    server = await listen();
  } catch (e) {
    await stop();
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(`cannot listen on ${listenUrlHost(at)}: ${code ?? (e as Error).message}`);
  }
  // Ctrl-C and SIGTERM are taken before the line that says it serves: whoever reads that line and
  // stops it at once (a service manager, a test) finds the handler there, even on a loaded machine.
  const interrupted = new Promise<void>((resolve) => {
    const off = cli.onInterrupt?.(() => {
      off?.();
      resolve();
    });
    if (!cli.onInterrupt) resolve();
  });
  cli.o.note(serving(`http://${listenUrlHost(at)}`));
  await interrupted;
  server.close();
  server.closeAllConnections();
  await stop();
}
