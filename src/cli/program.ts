/**
 * The command tree: one `register` per command file, in the order `--help` lists them.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { Cli, CliHost, Output } from './output.js';

export const VERSION = '0.1.0';

/** The whole program, with commander told never to call process.exit. */
export function buildProgram(o: Output, exit: (code: number) => void, host: CliHost = {}): Command {
  const cli: Cli = { env: {}, ...host, o, exit };
  const program = new Command('tcpscope')
    .description('TCP connection states on Linux: see, count, explain and diagnose them')
    .version(VERSION, '-V, --version')
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
