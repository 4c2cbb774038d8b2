/**
 * The command tree: one `register` per command file, in the order `--help` lists them.
 */
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import type { Cli, CliHost, Invoked, Output } from './output.js';

export const VERSION = '0.1.0';

/** The whole program, with commander told never to call process.exit. */
export function buildProgram(o: Output, exit: (code: number) => void, host: CliHost = {}): Command {
  const cli: Cli = {
    env: {},
    ...host,
    o,
    exit,
    invoke: (argv) => invoke(argv, o.columns, host),
    hasCommand: (name) => program.commands.some((c) => c.name() === name),
  };
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

/**
 * Runs `tcpscope ARGV` in this process with a fresh program and captured output, mapping errors to
 * exit codes as the entry point does (main.ts). Ctrl-C stays with the caller.
 */
async function invoke(argv: readonly string[], columns: number, host: CliHost): Promise<Invoked> {
  const got: Invoked = { code: 0, out: '', err: '' };
  const o: Output = {
    out: (t) => {
      got.out += t;
    },
    err: (t) => {
      got.err += t;
    },
    note: (line) => {
      got.err += `tcpscope: ${line}\n`;
    },
    tty: false,
    columns,
  };
  const { onInterrupt: _, ...rest } = host;
  const program = buildProgram(
    o,
    (code) => {
      got.code = code;
    },
    rest,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) got.code = e.exitCode === 0 ? 0 : 2;
    else if (isUserError(e)) {
      got.err += `tcpscope: ${e.message}\n`;
      got.code = 2;
    } else throw e;
  }
  return got;
}
