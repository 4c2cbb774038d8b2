/**
 * The command tree: one `register` per command file, in the order `--help` lists them.
 */
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import type { Cli, Output } from './output.js';

/** The whole program, with commander told never to call process.exit. */
export function buildProgram(o: Output, exit: (code: number) => void, version: string): Command {
  const cli: Cli = { o, exit };
  const program = new Command('tcpscope')
    .description('TCP connection states on Linux: see, count, explain and diagnose them')
    .version(version, '-V, --version')
    .exitOverride()
    // Program options only before a command: `ls --json` is ls's own flag.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => o.out(s),
      writeErr: (s) => o.err(s),
    });
  for (const register of COMMANDS) register(program, cli);
  return program;
}

/**
 * Builds and runs the program on `argv`, mapping errors to exit codes: 0 help and version, 2 usage
 * or environment error (one line), 3 a bug (with its stack trace).
 */
export async function runProgram(
  o: Output,
  argv: string[],
  exit: (code: number) => void,
  version: string,
): Promise<void> {
  try {
    await buildProgram(o, exit, version).parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its one-line usage error.
      exit(e.exitCode === 0 ? 0 : 2);
    } else if (isUserError(e)) {
      o.err(`tcpscope: ${e.message}\n`);
      exit(2);
    } else {
      o.err(`tcpscope: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
      exit(3);
    }
  }
}
