/** `tcpscope life`: one line per finished connection, like bcc's tcplife; `--summary`: how long states last. */
import { UsageError } from '../../errors.js';
import { histogramText, LIFE_HEADER, lifeJson, lifeLine } from '../../render/trace-text.js';
import { LifeTracker, StateDurations, type TableTimed, UNMEASURED } from '../../trace/life.js';
import { PhaseClock } from '../../trace/phases.js';
import { readTables } from '../../trace/tables.js';
import type { Cli } from '../output.js';
import { parseIntFlag } from '../socket-options.js';
import { runStream, type TraceFlags } from '../trace-run.js';

interface Flags extends TraceFlags {
  summary?: boolean;
  tables?: string;
}

/** Runs `life`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  const lives = new LifeTracker();
  const durations = new StateDurations();
  const clock = new PhaseClock();
  const tablesMs = parseIntFlag('--tables', flags.tables ?? '1000', 0, 3_600_000);
  if (tablesMs > 0 && tablesMs < 10) throw new UsageError('--tables: at least 10 ms, or 0 for none');
  let sampled = false;
  let tables: Promise<void> | undefined;
  const tablesStop = new AbortController();
  const stream = runStream(
    cli,
    flags,
    { events: 'states', purpose: 'life' },
    (s, { filter }) => {
      sampled = s.source === 'sampled';
      if (!flags.json && !flags.summary) cli.o.out(LIFE_HEADER);
      if (sampled || tablesMs === 0) return;
      // The tables go on until the stream has delivered its last events, then read one more.
      tables = readTables(
        {
          intervalMs: tablesMs,
          bytes: !flags.summary,
          signal: tablesStop.signal,
          ...(filter ? { filter } : {}),
          note: (l) => cli.o.note(l),
        },
        (atMs, sockets) => {
          for (const p of clock.table(atMs, sockets)) durations.addPhase(p);
          lives.observe(atMs, sockets);
        },
      );
    },
    (items) => {
      let text = '';
      let n = 0;
      for (const i of items) {
        if (i.kind !== 'transition') continue;
        if (i.source === 'kernel') {
          durations.add(i);
          clock.transition(i);
        }
        const life = lives.push(i);
        if (!life) continue;
        n++;
        if (flags.summary) continue;
        text += flags.json ? `${JSON.stringify(lifeJson(life))}\n` : lifeLine(life);
      }
      if (text !== '') cli.o.out(text);
      return n;
    },
  );
  try {
    await stream;
  } finally {
    tablesStop.abort();
    await tables;
  }
  if (flags.summary) cli.o.out(summaryText(durations, sampled, flags.json ?? false, tablesMs));
}

/** How the states timed through socket tables were timed, in words. */
function tablesNote(t: TableTimed, tablesMs: number): string {
  const incomplete = t.incomplete > 0 ? `, ${t.incomplete} never completed` : '';
  return `  ${t.count} timed by socket tables read every ${tablesMs} ms (within ±${Math.ceil(t.resolutionMs)} ms)${incomplete}\n`;
}

function summaryText(d: StateDurations, sampled: boolean, json: boolean, tablesMs: number): string {
  if (json) {
    const states = Object.fromEntries(
      [...d.states].map(([s, h]) => [
        s,
        { ...h, bucketsUs: h.buckets.map((_, i) => (i === 0 ? 0 : 2 ** i)) },
      ]),
    );
    const unmeasured = Object.fromEntries(
      [...d.unmeasured].map(([s, n]) => [s, { count: n, why: UNMEASURED[s] }]),
    );
    const byTables = Object.fromEntries([...d.byTables].map(([s, t]) => [s, { ...t, intervalMs: tablesMs }]));
    return `${JSON.stringify({ states, unmeasured, byTables, source: sampled ? 'sampled' : 'kernel' })}\n`;
  }
  if (sampled) return 'Sampled tables measure no state durations: run as root for tracefs.\n';
  let out = '';
  for (const [s, h] of d.states) {
    const t = d.byTables.get(s);
    out += `${histogramText(s, h)}${t ? tablesNote(t, tablesMs) : ''}\n`;
  }
  for (const [s, n] of d.unmeasured)
    out += `${s}: ${n} unmeasured${UNMEASURED[s] ? ` (${UNMEASURED[s]})` : ''}\n`;
  if (out === '') out = 'No transitions seen.\n';
  return out;
}
