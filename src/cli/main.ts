/**
 * The entry point: the only file that touches `process`. It builds the program, runs it, maps
 * errors to exit codes (0 ok, 1 findings or nothing found, 2 usage or environment error, 3 bug)
 * and leaves quietly when stdout is a closed pipe (`tcpscope ls | head`).
 * Start-up is kept lean: this file imports nothing; the program (commander and the commands) is
 * loaded (from the same bundle, lazily) once we know it is needed, and `--version` answers without it.
 */
import type { Output } from './output.js';
import { VERSION } from './version.js';

// The terminal went away (EIO on it, or SIGHUP while on one): the standard streams are moved to
// /dev/null (terminal-gone.ts) while the command stops, as SIGHUP makes it.
const onTerminal = process.stdout.isTTY === true || process.stdin.isTTY === true;
let leaving = false;
function leaveTerminal(): void {
  if (leaving) return;
  leaving = true;
  void import('./terminal-gone.js')
    .then(async (m) => {
      await m.prepare();
      m.detach();
    })
    .catch(() => undefined);
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (e.code === 'EIO' && onTerminal) return leaveTerminal();
  throw e;
});

// Writes to a pipe or socket block when the reader is slow, as a C program's stdout does: Node
// otherwise queues what the pipe cannot take in memory, without bound (`pcap big.pcap --json | jq`).
// A stalled reader stalls the command: `trace` then counts what its ring lost.
if (process.stdout.isTTY !== true) {
  const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })
    ._handle;
  handle?.setBlocking?.(true);
}

const tty = process.stdout.isTTY === true && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
const output: Output = {
  out: (text) => {
    process.stdout.write(text);
  },
  outBytes: (bytes) => {
    process.stdout.write(bytes);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  note: (line) => {
    process.stderr.write(`tcpscope: ${line}\n`);
  },
  tty,
  errTty: process.stderr.isTTY === true,
  columns: process.stdout.columns || 80,
  ...(process.stdin.isTTY ? { ask } : {}),
};

/** One question on stderr, one line of answer from the terminal (readline loaded only then). */
async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${VERSION}\n`);
else void run();

async function run(): Promise<void> {
  // The program and everything it uses: evaluated only now (a lazy part of the bundle).
  const { runProgram } = await import('./program.js');
  await runProgram(
    output,
    process.argv,
    (code) => {
      process.exitCode = code;
    },
    {
      env: process.env,
      // Ctrl-C, SIGTERM, and SIGHUP (the terminal closed: an SSH session gone, a tmux window
      // killed): a long-running command ends as cleanly on each, its tracefs instance removed.
      onInterrupt: (handler) => {
        const hangUp = (): void => {
          if (onTerminal) leaveTerminal();
          handler();
        };
        process.on('SIGINT', handler);
        process.on('SIGTERM', handler);
        process.on('SIGHUP', hangUp);
        return () => {
          process.off('SIGINT', handler);
          process.off('SIGTERM', handler);
          process.off('SIGHUP', hangUp);
        };
      },
    },
  );
}
