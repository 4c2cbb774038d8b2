/** `tcpscope life`: one line per finished connection, like bcc's tcplife; `--summary`: how long states last. */
import { histogramText, LIFE_HEADER, lifeJson, lifeLine } from '../../render/trace-text.js';
import { LifeTracker, StateDurations, UNMEASURED } from '../../trace/life.js';
import type { Cli } from '../output.js';
import { runStream, type TraceFlags } from '../trace-run.js';

interface Flags extends TraceFlags {
  summary?: boolean;
}

/** Runs `life`. */
export async function run(cli: Cli, flags: Flags): Promise<void> {
  const lives = new LifeTracker();
  const durations = new StateDurations();
  let sampled = false;
  await runStream(
    cli,
    flags,
    { events: 'states', purpose: 'life' },
    (s) => {
      sampled = s.source === 'sampled';
      if (!flags.json && !flags.summary) cli.o.out(LIFE_HEADER);
    },
    (items) => {
      let text = '';
      let n = 0;
      for (const i of items) {
        if (i.kind !== 'transition') continue;
        if (i.source === 'kernel') durations.add(i);
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
  if (flags.summary) cli.o.out(summaryText(durations, sampled, flags.json ?? false));
}

function summaryText(d: StateDurations, sampled: boolean, json: boolean): string {
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
    return `${JSON.stringify({ states, unmeasured, source: sampled ? 'sampled' : 'kernel' })}\n`;
  }
  if (sampled) return 'Sampled tables measure no state durations: run as root for tracefs.\n';
  let out = '';
  for (const [s, h] of d.states) out += `${histogramText(s, h)}\n`;
  for (const [s, n] of d.unmeasured)
    out += `${s}: ${n} unmeasured${UNMEASURED[s] ? ` (${UNMEASURED[s]})` : ''}\n`;
  if (out === '') out = 'No transitions seen.\n';
  return out;
}
