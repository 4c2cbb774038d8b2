/** `tcpscope trace`: every TCP state transition as it happens, like bcc's tcpstates, from tracefs. */
import { UsageError } from '../../errors.js';
import { TraceLineWriter } from '../../render/trace-bytes.js';
import { itemJsonLine, itemLine, TRACE_HEADER } from '../../render/trace-text.js';
import type { Cli } from '../output.js';
import { runStream, type TraceFlags } from '../trace-run.js';

interface Flags extends TraceFlags {
  events: string;
  stats?: boolean;
}

/** Runs `trace`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  if (flags.events !== 'all' && flags.events !== 'states')
    throw new UsageError(`--events: '${flags.events}': valid are states, all`);
  let transitions = 0;
  const outBytes = cli.o.outBytes;
  const writer = outBytes ? new TraceLineWriter(outBytes, flags.json === true) : undefined;
  const stream = await runStream(
    cli,
    flags,
    { events: flags.events, purpose: 'trace' },
    (s) => {
      if (s.source === 'sampled' && !flags.json)
        cli.o.note(`sampling the socket table every ${s.intervalMs} ms: changes in between are not seen`);
      if (!flags.json) cli.o.out(TRACE_HEADER);
    },
    (items) => {
      transitions += items.length;
      if (writer) {
        for (const i of items) writer.write(i);
        writer.flush();
        return items.length;
      }
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
}
