/**
 * The entry point: the only file that touches `process`. It builds the program, runs it, maps
 * errors to exit codes (0 ok, 1 findings or nothing found, 2 usage or environment error, 3 bug)
 * and leaves quietly when stdout is a closed pipe (`tcpscope ls | head`).
 */
import { CommanderError } from 'commander';
import { isUserError } from '../errors.js';
import type { Output } from './output.js';
import { buildProgram } from './program.js';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

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

try {
  const program = buildProgram(output, (code) => {
    process.exitCode = code;
  });
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; commander has already printed its one-line usage error.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (isUserError(e)) {
    process.stderr.write(`tcpscope: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`tcpscope: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 3;
  }
}
