/**
 * The command tree, built from the commands' descriptions (commands/index.ts), and the run that
 * maps errors to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { isUserError, UsageError } from '../errors.js';
import { arrangeArgs } from './arrange-args.js';
import { applySpec } from './command-spec.js';
import { COMMANDS, OVERVIEW } from './commands/index.js';
import type { Cli, CliHost, Invoked, Output } from './output.js';
import { VERSION } from './version.js';

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
  const program = new Command(OVERVIEW.name)
    .version(VERSION, '-V, --version')
    .exitOverride()
    // Program options only before a command: `ls --json` is ls's own flag.
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => o.out(s),
      writeErr: (s) => o.err(s),
    });
  for (const spec of COMMANDS) applySpec(program.command(spec.name), spec, cli);
  applySpec(program, OVERVIEW, cli);
  // `help CMD` as `CMD --help`, and a usage error (exit 2) for an unknown CMD.
  program.helpCommand(false);
  program
    .command('help [command]')
    .description('display help for a command')
    .action(async (name?: string) => {
      if (name === undefined) program.outputHelp();
      else if (!program.commands.some((c) => c.name() === name)) {
        throw new UsageError(`help: unknown command '${name}'`);
      } else await program.parseAsync([name, '--help'], { from: 'user' });
    });
  return program;
}

/**
 * Builds and runs the program on `argv`, mapping errors to exit codes: 0 help and version, 2 usage
 * or environment error (one line), 3 a bug (with its stack trace).
 */
export async function runProgram(
  o: Output,
  argv: readonly string[],
  exit: (code: number) => void,
  host: CliHost = {},
  from: 'node' | 'user' = 'node',
): Promise<void> {
  try {
    const program = buildProgram(o, exit, host);
    const args = from === 'node' ? argv.slice(2) : argv;
    await program.parseAsync(arrangeArgs(program, args), { from: 'user' });
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

/**
 * Runs `tcpscope ARGV` in this process with a fresh program and captured output (for `lab`, which
 * shows what other commands see). Ctrl-C stays with the caller.
 */
async function invoke(argv: readonly string[], columns: number, host: CliHost): Promise<Invoked> {
  const got: Invoked = { code: 0, out: '', err: '' };
  const o: Output = {
    out: (t) => {
      got.out += t;
    },
    outBytes: (b) => {
      got.out += Buffer.from(b).toString('utf8');
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
  await runProgram(
    o,
    argv,
    (code) => {
      got.code = code;
    },
    rest,
    'user',
  );
  return got;
}
