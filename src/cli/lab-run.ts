/**
 * `tcpscope lab run SCENARIO`: make it in a private namespace, show it (lab-show.ts), optionally hold
 * it, and remove everything, on Ctrl-C too. On Ctrl-C the namespace's cleanup hook (lab/cleanup.ts)
 * removes it at once; the handler here makes the run stop showing, say so and exit 130.
 */
import { type LabRun, planScenario, requireLab, type StartOptions, startLabScenario } from '../lab/start.js';
import type { StateSummary } from '../render/lab-text.js';
import { madeSummary, runJson, runSteps, type StepResult, showMade, showReality } from './lab-show.js';
import type { Cli } from './output.js';
import { parseIntFlag } from './socket-options.js';

/** Flags of `lab run` and `lab up`. */
export interface LabFlags {
  count?: string;
  port?: string;
  hold?: string;
  json?: boolean;
}

/** The exit status of a run ended by Ctrl-C, as a shell reports a SIGINT. */
const INTERRUPTED = 130;

/** Runs a scenario from start to removal; see the file's comment. */
export async function runLab(cli: Cli, id: string, opts: StartOptions, flags: LabFlags): Promise<void> {
  const holdMs = parseIntFlag('--hold', flags.hold ?? '0', 0, 3600) * 1000;
  planScenario(id, opts);
  await requireLab();
  const t0 = Date.now();
  const stop = stopper();
  const off = cli.onInterrupt?.(stop.interrupt);
  let lab: LabRun | undefined;
  let summary: StateSummary[] = [];
  let steps: StepResult[] = [];
  try {
    if (!flags.json) cli.o.note(`lab ${id}: making it in a private namespace...`);
    lab = await startLabScenario(id, opts);
    summary = await madeSummary(lab);
    if (!flags.json) showMade(cli, lab, summary);
    steps = await runSteps(cli, lab, flags.json ?? false, stop.stopped, stop.sleep);
    if (!flags.json && !stop.stopped()) showReality(cli, lab);
    if (holdMs > 0 && !stop.stopped()) {
      if (!flags.json) cli.o.note(`holding ${lab.netns} for ${holdMs / 1000} s (Ctrl-C ends it)`);
      await stop.sleep(holdMs);
    }
  } catch (e) {
    // After Ctrl-C the namespace is gone under our feet: whatever failed because of it is expected.
    if (!stop.stopped()) throw e;
  } finally {
    off?.();
    await lab?.stop();
  }
  if (stop.stopped()) {
    cli.o.note(`lab ${id}: interrupted; namespace and processes removed`);
    cli.exit(INTERRUPTED);
  } else if (!flags.json && lab) cli.o.note(`lab ${id}: removed ${lab.netns} and its processes`);
  if (flags.json && lab) {
    const extra = { removed: true, interrupted: stop.stopped(), durationMs: Date.now() - t0 };
    cli.o.out(`${JSON.stringify(runJson(lab, summary, steps, extra))}\n`);
  }
}

/** A flag set by Ctrl-C, and a sleep that Ctrl-C cuts short. */
function stopper(): { interrupt(): void; stopped(): boolean; sleep(ms: number): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  return {
    interrupt: () => {
      stopped = true;
      wake?.();
    },
    stopped: () => stopped,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      }),
  };
}
