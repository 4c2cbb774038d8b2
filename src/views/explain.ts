/**
 * The knowledge base as plain text, as `tcpscope explain` prints it without colour: the pages both
 * servers answer at `/explain` (the index) and `/explain/STATE-OR-TOPIC` (`?lang=zh`), which the
 * alert rules' runbook links and the page's findings point to (`explainPathOf` in doctor/sources.ts). The text is loaded on first use only.
 */
import type { Lang } from '../tcp/knowledge/types.js';

const PLAIN = {
  heading: (s: string) => s,
  strong: (s: string) => s,
  command: (s: string) => s,
  faint: (s: string) => s,
};

/**
 * The entry for `name` (a state or topic as `explain` takes it, `topic/NAME` for the topic of a word
 * that is also a state, such as `topic/time-wait`; '' for the index), or undefined.
 */
export async function explainText(name: string, lang: Lang): Promise<string | undefined> {
  const kb = await import('../tcp/knowledge/index.js');
  const render = await import('../render/explain.js');
  const opts = { width: 100, style: PLAIN, wordFor: (id: string) => id };
  if (name === '') return render.renderKnowledgeIndex(kb.knowledgeIndex(lang), opts);
  const topic = name.startsWith('topic/');
  const target = kb.resolveExplainTarget(
    topic ? name.slice('topic/'.length) : name,
    topic ? 'topic' : 'state',
  );
  if (!target) return undefined;
  return target.kind === 'state'
    ? render.renderStateKnowledge(kb.stateKnowledge(target.state, lang), opts)
    : render.renderTopicKnowledge(kb.topic(target.id, lang), opts);
}

/** `/explain`, `/explain/` and `/explain/NAME` to the name ('' for the index); undefined for another path, null for a bad escape. */
export function explainName(path: string): string | undefined | null {
  if (path === '/explain' || path === '/explain/') return '';
  if (!path.startsWith('/explain/')) return undefined;
  try {
    return decodeURIComponent(path.slice('/explain/'.length));
  } catch {
    return null;
  }
}
