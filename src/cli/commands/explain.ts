/** `tcpscope explain [STATE|TOPIC]`: what a state or a situation means, and what to do about it. */
import { UsageError } from '../../errors.js';
import type { ExplainStyle } from '../../render/explain.js';
import { langOf } from '../lang-option.js';
import { type Cli, paint } from '../output.js';

interface ExplainFlags {
  json?: boolean;
  lang?: string;
  topic?: boolean;
}

/** Readable lines are shorter than wide terminals. */
const MAX_WIDTH = 100;

/** Runs `explain`. */
export async function run(cli: Cli, flags: ExplainFlags, name: string | undefined): Promise<void> {
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
    if (flags.topic) throw new UsageError('--topic: name the topic (tcpscope explain lists them)');
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
}

function styleFor(cli: Cli): ExplainStyle {
  return {
    heading: (s) => paint(cli.o, 'bold', s),
    strong: (s) => paint(cli.o, 'bold', s),
    command: (s) => paint(cli.o, 'cyan', s),
    faint: (s) => paint(cli.o, 'gray', s),
  };
}
