/**
 * The shapes of the lab's catalog (catalog.ts): a scenario, the plan it makes, the commands that show
 * it. Pure types.
 */
import type { HoldItem } from './scenario.js';

/** A tcpscope command run to show the scenario; `{netns}` and `{port}` are filled in. */
export interface LabStep {
  argv: readonly string[];
  /** Wait this long before running it (a counter that rises needs time). */
  afterMs?: number;
}

/** One process of a plan: the holder, or a holder run from a deleted copy of node in a temporary place. */
export interface LabProcessPlan {
  role: string;
  exe: 'node' | 'deleted-temp';
  items: HoldItem[];
}

/** What a scenario makes for a given count and base port. */
export interface LabPlan {
  processes: LabProcessPlan[];
  /** Sysctls set in the namespace besides LAB_SYSCTLS. */
  sysctls: Record<string, string | number>;
  /** The process (index into `processes`) and port the doctor should name. */
  culprit: { process: number; port: number };
}

/** A scenario of `tcpscope lab`. */
export interface LabScenario {
  id: string;
  group: 'state' | 'situation';
  title: string;
  /** What it shows, in one line (for `lab list`). */
  shows: string;
  /** The article's claim this scenario checks, when it has one. */
  folklore?: string;
  /** What really happens, a sentence a line, printed after the run. */
  reality: readonly string[];
  /** The base port (items use it and the ones after). */
  port: number;
  /** `--count`: its default, its limit, and what it counts. */
  count: { default: number; max: number; what: string };
  /** The doctor rules that should name this scenario's culprit (its process and port). */
  rules: readonly string[];
  /**
   * Those of `rules` whose sockets no process holds (orphans, TIME_WAIT): the doctor can name the port
   * but no pid for them (the culprit's pid shows elsewhere: its listener, its other sockets).
   */
  unowned?: readonly string[];
  /** Sysctls worth showing beside it. */
  sysctls: readonly string[];
  /** Commands run after the common ones (count) and before ls, who and the doctor. */
  steps: readonly LabStep[];
  plan(count: number, port: number): LabPlan;
}
