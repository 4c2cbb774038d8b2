/**
 * Commands as data: each command is described once (name, description, arguments, options,
 * examples, and a loader for the module that runs it), and the commander tree is built from that.
 * Help, parsing and `options anywhere` read the description; the module (the doctor, the knowledge
 * base, the lab, the simulator...) is loaded only when its command runs, as citty's
 * `subCommands: { x: () => import(...) }` does.
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import type { Cli } from './output.js';

/** One flag, as commander takes it (`-p, --processes`, `--top <n>`, `--no-header`). */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean | readonly string[];
  /** Repeatable flags (`--set a --set b`) collect their values in a list. */
  readonly repeatable?: boolean;
  /** Not shown by --help (test hooks such as `--proc-root`). */
  readonly hidden?: boolean;
  /** The flag (`--by`) without which this one means nothing: given alone, a usage error. */
  readonly needs?: string;
  /** Flags (`--at`) that ask for another output than this one: given together, a usage error. */
  readonly conflicts?: readonly string[];
}

/** A positional argument: `<port>`, `[name]`, `[pattern...]`. */
export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
}

/**
 * What a command's module provides: `run(cli, flags, ...args)` with commander's parsed flags and
 * arguments. A method, so each module may type its own flags.
 */
export interface CommandModule {
  run(cli: Cli, flags: unknown, ...args: unknown[]): unknown;
}

/** A command described once. */
export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  /** Shown after the options by --help; starts with a newline. */
  readonly examples?: string;
  /** The module that runs the command; absent for a command that only groups subcommands. */
  readonly load?: () => Promise<CommandModule>;
  readonly subcommands?: readonly CommandSpec[];
}

/** Adds a spec's arguments, options, help text and action to `cmd` (a new subcommand or the program). */
export function applySpec(cmd: Command, spec: CommandSpec, cli: Cli): Command {
  cmd.description(spec.description);
  for (const a of spec.arguments ?? []) cmd.argument(a.name, a.description);
  for (const o of spec.options ?? []) cmd.addOption(optionOf(o));
  if (spec.examples !== undefined) cmd.addHelpText('after', spec.examples);
  for (const sub of spec.subcommands ?? []) applySpec(cmd.command(sub.name), sub, cli);
  const load = spec.load;
  if (load) {
    cmd.action(async (...got: unknown[]) => {
      const self = got[got.length - 1] as Command;
      checkNeeds(self, spec.options ?? []);
      const mod = await load();
      await mod.run(cli, self.opts(), ...self.processedArgs);
    });
  }
  return cmd;
}

/** A flag typed without the one it goes with is an error, not a flag quietly ignored. */
function checkNeeds(cmd: Command, options: readonly OptionSpec[]): void {
  for (const o of options) {
    if (o.needs === undefined) continue;
    const typed = new Option(o.flags);
    if (cmd.getOptionValueSource(typed.attributeName()) !== 'cli') continue;
    if (cmd.getOptionValue(new Option(o.needs).attributeName()) !== undefined) continue;
    throw new UsageError(`${typed.long} goes with ${o.needs}`);
  }
}

function optionOf(o: OptionSpec): Option {
  const opt = new Option(o.flags, o.description);
  // commander names the other options by their attribute (`--save-baseline`: saveBaseline).
  if (o.conflicts) opt.conflicts(o.conflicts.map((f) => new Option(f).attributeName()));
  if (o.repeatable) {
    opt.argParser((v: string, prev: readonly string[] | undefined) => [...(prev ?? []), v]).default([]);
  } else if (o.default !== undefined) opt.default(o.default);
  if (o.hidden) opt.hideHelp();
  return opt;
}
