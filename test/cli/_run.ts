/** Test helper: runs the CLI in-process with a capturing output, through the entry point's own `runProgram`. */
import type { Output } from '../../src/cli/output.js';
import { runProgram } from '../../src/cli/program.js';

export interface Ran {
  out: string;
  err: string;
  code: number;
}

/**
 * `tcpscope ARGS...`, on a terminal when `tty` (stderr too when `errTty`); exit codes as the program
 * maps them (3 is a bug).
 */
export async function tcpscope(args: string[], tty = false, errTty = false): Promise<Ran> {
  const r: Ran = { out: '', err: '', code: 0 };
  const o: Output = {
    out: (t) => {
      r.out += t;
    },
    outBytes: (b) => {
      r.out += Buffer.from(b).toString('utf8');
    },
    err: (t) => {
      r.err += t;
    },
    note: (line) => {
      r.err += `tcpscope: ${line}\n`;
    },
    tty,
    errTty,
    columns: 100,
  };
  await runProgram(o, ['node', 'tcpscope', ...args], (c) => {
    r.code = c;
  });
  return r;
}
