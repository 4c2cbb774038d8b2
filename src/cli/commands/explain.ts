/** `tcpscope explain [STATE|TOPIC]`: what a state or a situation means, and what to do about it. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ExplainStyle } from '../../render/explain.js';
import { addLangOption, langOf } from '../lang-option.js';
import { type Cli, paint } from '../output.js';

interface ExplainFlags {
  json?: boolean;
  lang?: string;
  topic?: boolean;
}

const EXAMPLES = `
Examples:
  tcpscope explain                     every state and topic, one line each
  tcpscope explain close-wait          a state, in any spelling (CLOSE_WAIT, close_wait, CLOSE-WAIT)
  tcpscope explain syn-recv --lang zh  in Chinese (default: zh when LC_ALL/LC_MESSAGES/LANG start with zh)
  tcpscope explain syn-flood           a topic: syn-flood, half-open, close-wait-leak, port-exhaustion...
  tcpscope explain --topic time-wait   the topic that shares its name with the TIME_WAIT state
  tcpscope explain TIME_WAIT --json    as JSON: what, why, fix, commands, settings, paths
Exit status: 0, or 2 for an unknown state, topic or language.
`;

/** Readable lines are shorter than wide terminals. */
const MAX_WIDTH = 100;

/** Registers `explain`. */
export function register(program: Command, cli: Cli): void {
  const cmd = program
    .command('explain')
    .description('what a TCP state or situation means, what many of one mean, and what to do')
    .argument('[name]', 'a state (any spelling) or a topic id; none for the list')
    .option('--topic', 'read NAME as a topic when it also names a state (time-wait)')
    .option('--json', 'JSON output');
  addLangOption(cmd);
  cmd.addHelpText('after', EXAMPLES).action(async (name: string | undefined, flags: ExplainFlags) => {
    const lang = langOf(flags, cli);
    // The text of every entry is only loaded by this command.
    const kb = await import('../../tcp/knowledge/index.js');
    const render = await import('../../render/explain.js');
    const opts = {
      width: Math.min(cli.o.columns, MAX_WIDTH),
      style: styleFor(cli),
      wordFor: (id: string) => (kb.isTopicId(id) && kb.isAmbiguousWord(id) ? `--topic ${id}` : id),
    };
    if (name === undefined) {
      const idx = kb.knowledgeIndex(lang);
      cli.o.out(flags.json ? `${JSON.stringify(idx)}\n` : render.renderKnowledgeIndex(idx, opts));
      return;
    }
    const target = kb.resolveExplainTarget(name, flags.topic ? 'topic' : 'state');
    if (!target) {
      throw new UsageError(
        `explain: unknown state or topic '${name}': valid are ${kb.explainWords().join(', ')}`,
      );
    }
    if (target.kind === 'state') {
      const k = kb.stateKnowledge(target.state, lang);
      cli.o.out(flags.json ? `${JSON.stringify(k)}\n` : render.renderStateKnowledge(k, opts));
    } else {
      const k = kb.topic(target.id, lang);
      cli.o.out(flags.json ? `${JSON.stringify(k)}\n` : render.renderTopicKnowledge(k, opts));
    }
  });
}

function styleFor(cli: Cli): ExplainStyle {
  return {
    heading: (s) => paint(cli.o, 'bold', s),
    strong: (s) => paint(cli.o, 'bold', s),
    command: (s) => paint(cli.o, 'cyan', s),
    faint: (s) => paint(cli.o, 'gray', s),
  };
}
