/**
 * Options anywhere: `tcpscope --netns X doctor` means `tcpscope doctor --netns X`. Options typed
 * before the command are moved after it (after `lab run`, for a command with subcommands), so the
 * command either takes them or refuses them as unknown (exit 2); none is silently left to the
 * overview. A word that is no command is a usage error that names the closest command.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/** `args` (without node and the script) with the options before the command moved after it. */
export function arrangeArgs(program: Command, args: readonly string[]): string[] {
  const values = valueTaking(program);
  const lead: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || !a.startsWith('-') || a === '-') break;
    lead.push(a);
    const next = args[i + 1];
    if (next === undefined || a.includes('=')) continue;
    const kind = values.get(a);
    // An option that takes a value in one command and not in another (`-o`) takes it unless the
    // next word is a command.
    if (kind === 'value' || (kind === 'both' && !findCommand(program, next))) lead.push(args[++i]!);
  }
  const word = args[i];
  if (word === undefined || word === '--') return [...args];
  const cmd = findCommand(program, word);
  if (!cmd) throw new UsageError(unknownCommand(program, word));
  if (lead.length === 0 || lead.includes('-V') || lead.includes('--version')) return [...args];
  let end = i + 1;
  for (let c = cmd; c.commands.length > 0 && end < args.length; end++) {
    const sub = findCommand(c, args[end]!);
    if (!sub) break;
    c = sub;
  }
  return [...args.slice(i, end), ...lead, ...args.slice(end)];
}

/** The subcommand of `cmd` called `word` (or one of its aliases). */
function findCommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** Every option flag of the tree: whether it takes a value, does not, or both (in different commands). */
function valueTaking(program: Command): Map<string, 'value' | 'flag' | 'both'> {
  const kinds = new Map<string, 'value' | 'flag' | 'both'>();
  const walk = (cmd: Command): void => {
    for (const o of cmd.options) {
      const kind = o.required || o.optional ? 'value' : 'flag';
      for (const name of [o.short, o.long]) {
        if (name === undefined) continue;
        const had = kinds.get(name);
        kinds.set(name, had === undefined || had === kind ? kind : 'both');
      }
    }
    for (const c of cmd.commands) walk(c);
  };
  walk(program);
  return kinds;
}

function unknownCommand(program: Command, word: string): string {
  const names = program.commands.map((c) => c.name());
  let best = names[0] ?? '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const n of names) {
    const d = editDistance(word.toLowerCase(), n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  const closeEnough = bestDistance <= Math.max(2, Math.floor(best.length / 2));
  const hint = closeEnough ? `did you mean '${best}'?` : `the closest is '${best}'`;
  return `unknown command '${word}': ${hint} (tcpscope --help lists them)`;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (Damerau). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
