/** `tcpscope trace`: every TCP state transition as it happens, like bcc's tcpstates, from tracefs. */
import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { itemJsonLine, itemLine, TRACE_HEADER } from '../../render/trace-text.js';
import type { Cli } from '../output.js';
import { addTraceOptions, runStream, type TraceFlags } from '../trace-run.js';

interface Flags extends TraceFlags {
  events: string;
  stats?: boolean;
}

const EXAMPLES = `
Each line: when, the process (when known), local and remote endpoint, the transition, and the
milliseconds spent in the old state when two events of the socket measured it.
TIME_WAIT is never announced by the kernel: it is shown (marked *, "inferred" in JSON) only where the
events prove it (CLOSING -> CLOSE without a reset). The owner is known for connect() and listen(),
for children of a known listener, and for sockets that existed at the start; otherwise "-".

Examples:
  sudo tcpscope trace --port 80                 every transition on port 80 as it happens
  sudo tcpscope trace --events all -s syn-sent  with retransmissions, resets and connect() errors
  sudo tcpscope trace --json --duration 10      NDJSON for 10 seconds
  tcpscope trace --sampled --interval 50        without root or tracefs: table snapshots compared
Needs root (tracefs); the private instance it makes is removed on every way out.
`;

/** Registers `trace`. */
export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('trace')
    .description('every TCP state transition as it happens, from tracefs (like tcpstates)')
    .option('--events <which>', 'states, or all (retransmissions, resets, connect() errors too)', 'states')
    .addOption(new Option('--stats', 'at the end, counts as JSON on stderr (for bench/trace)').hideHelp());
  addTraceOptions(cmd)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: Flags) => {
      const events = flags.events === 'all' ? 'all' : 'states';
      if (flags.events !== 'all' && flags.events !== 'states')
        throw new UsageError(`--events: '${flags.events}': valid are states, all`);
      let transitions = 0;
      const stream = await runStream(
        cli,
        flags,
        { events, purpose: 'trace' },
        (s) => {
          if (s.source === 'sampled' && !flags.json)
            cli.o.note(`sampling the socket table every ${s.intervalMs} ms: changes in between are not seen`);
          if (!flags.json) cli.o.out(TRACE_HEADER);
        },
        (items) => {
          transitions += items.length;
          let text = '';
          for (const i of items) text += flags.json ? itemJsonLine(i) : itemLine(i);
          if (text !== '') cli.o.out(text);
          return items.length;
        },
      );
      const st = stream.stats().trace;
      if (flags.stats)
        cli.o.err(
          `${JSON.stringify({ events: st?.events ?? 0, transitions, lost: st?.lost ?? 0, bad: st?.bad ?? 0 })}\n`,
        );
      if (st && st.lost > 0) cli.o.note(`${st.lost} kernel event(s) lost in all (buffer full)`);
      if (st && st.bad > 0) cli.o.note(`${st.bad} record(s) or line(s) could not be read`);
    });
}
