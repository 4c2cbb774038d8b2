/** Test helper: runs the CLI in-process with a capturing output, as the entry point would. */
import { CommanderError } from 'commander';
import type { Output } from '../../src/cli/output.js';
import { buildProgram } from '../../src/cli/program.js';
import { isUserError } from '../../src/errors.js';

export interface Ran {
  out: string;
  err: string;
  code: number;
}

/** `tcpscope ARGS...`, on a terminal when `tty`. */
export async function tcpscope(args: string[], tty = false): Promise<Ran> {
  const r: Ran = { out: '', err: '', code: 0 };
  const o: Output = {
    out: (t) => {
      r.out += t;
    },
    err: (t) => {
      r.err += t;
    },
    note: (line) => {
      r.err += `tcpscope: ${line}\n`;
    },
    tty,
    columns: 100,
  };
  try {
    await buildProgram(o, (c) => {
      r.code = c;
    }).parseAsync(['node', 'tcpscope', ...args]);
  } catch (e) {
    if (e instanceof CommanderError) r.code = e.exitCode === 0 ? 0 : 2;
    else if (isUserError(e)) {
      r.err += `tcpscope: ${e.message}\n`;
      r.code = 2;
    } else throw e;
  }
  return r;
}
