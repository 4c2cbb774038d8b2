/**
 * The command tree: one `register` per command file, in the order `--help` lists them.
 */
import { Command, CommanderError } from 'commander';
import { isUserError, UsageError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
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
  // `help CMD` as `CMD --help`: commander's own help command cannot reach the lazy commands' help.
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
    await buildProgram(o, exit, host).parseAsync([...argv], { from });
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
