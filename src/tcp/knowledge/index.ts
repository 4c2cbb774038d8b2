/**
 * The knowledge base: what each TCP state means, what many of one usually mean, and the situations
 * behind them, in English and Chinese. Pure data and lookups; `explain` renders it and the doctor
 * cites its `why`, `fix` and `commands`.
 *
 *   stateKnowledge('CLOSE_WAIT', 'zh').why     topic('syn-flood').fix     topics('en')
 */
import { parseStateName } from '../state-names.js';
import { STATE_INFO, stateInfo, type TcpState } from '../states.js';
import { pathsThrough } from './paths.js';
import { SETTINGS, type SettingKey } from './settings.js';
import { STATE_SOURCES } from './states/index.js';
import { TOPIC_SOURCES } from './topics/index.js';
import {
  type CommandHint,
  type CommandSource,
  type KnowledgeIndex,
  type Lang,
  type Setting,
  type SettingRef,
  type StateKnowledge,
  TOPIC_IDS,
  type TopicId,
  type TopicKnowledge,
} from './types.js';

export { langFromEnv, parseLang } from './lang.js';
export { CONNECTION_PATHS, pathsThrough } from './paths.js';
export type { SettingKey } from './settings.js';
export * from './types.js';

/** One setting of the catalogue in one language (`setsDuration` false: no entry is citing it). */
export function setting(key: SettingKey, lang: Lang = 'en'): Setting {
  const s = SETTINGS[key];
  return {
    name: s.name,
    kind: s.kind,
    default: s.default[lang],
    effect: s.effect[lang],
    setsDuration: false,
  };
}

function settingsOf(refs: readonly SettingRef[], lang: Lang): Setting[] {
  return refs.map((r) => ({
    ...setting(r.key as SettingKey, lang),
    setsDuration: r.setsDuration === true,
  }));
}

function commandsOf(list: readonly CommandSource[], lang: Lang): CommandHint[] {
  return list.map((c) => ({ command: c.command, purpose: c.purpose[lang] }));
}

/** Everything about one state, in one language. */
export function stateKnowledge(state: TcpState, lang: Lang = 'en'): StateKnowledge {
  const src = STATE_SOURCES[state];
  const info = stateInfo(state);
  return {
    kind: 'state',
    lang,
    state,
    rfc: info.rfc,
    code: info.code,
    side: info.side,
    title: info.rfc === state ? state : `${state} (${info.rfc})`,
    summary: info[lang],
    what: src.what[lang],
    reachedBy: src.reachedBy[lang],
    duration: src.duration[lang],
    why: src.why[lang],
    settings: settingsOf(src.settings, lang),
    commands: commandsOf(src.commands, lang),
    fix: src.fix.map((f) => f[lang]),
    paths: pathsThrough(state).map((p) => ({
      id: p.id,
      label: p.label[lang],
      states: p.states,
      rare: p.rare,
    })),
    related: src.related,
  };
}

/** Everything about one topic, in one language. */
export function topic(id: TopicId, lang: Lang = 'en'): TopicKnowledge {
  const src = TOPIC_SOURCES[id];
  return {
    kind: 'topic',
    lang,
    id,
    title: src.title[lang],
    summary: src.summary[lang],
    what: src.what[lang],
    signs: src.signs[lang],
    why: src.why[lang],
    settings: settingsOf(src.settings, lang),
    commands: commandsOf(src.commands, lang),
    fix: src.fix.map((f) => f[lang]),
    states: src.states,
    corrections: src.corrections.map((c) => ({ claim: c.claim[lang], truth: c.truth[lang] })),
    related: src.related,
  };
}

/** A state's or a topic's entry: what a doctor finding cites (`why`, `fix`, `commands`). */
export function knowledgeOf(target: ExplainTarget, lang: Lang = 'en'): StateKnowledge | TopicKnowledge {
  return target.kind === 'state' ? stateKnowledge(target.state, lang) : topic(target.id, lang);
}

/** Every topic, in listing order. */
export function topics(lang: Lang = 'en'): TopicKnowledge[] {
  return TOPIC_IDS.map((id) => topic(id, lang));
}

/** Every state (kernel order) and topic with its one-line summary: `tcpscope explain`'s list. */
export function knowledgeIndex(lang: Lang = 'en'): KnowledgeIndex {
  return {
    lang,
    states: STATE_INFO.map((s) => ({ state: s.name, rfc: s.rfc, code: s.code, summary: s[lang] })),
    topics: topics(lang).map((k) => ({ id: k.id, title: k.title, summary: k.summary })),
  };
}

/** Whether `word` is a topic id, exactly. */
export function isTopicId(word: string): word is TopicId {
  return (TOPIC_IDS as readonly string[]).includes(word);
}

/** What a word asks `explain` for. */
export type ExplainTarget = { kind: 'state'; state: TcpState } | { kind: 'topic'; id: TopicId };

/**
 * A user's word to a state (any spelling parseStateName accepts) or a topic id (any case, `_` for
 * `-`). `time-wait` names both the state and a topic: `prefer` decides, the state by default.
 */
export function resolveExplainTarget(
  word: string,
  prefer: 'state' | 'topic' = 'state',
): ExplainTarget | undefined {
  const id = word.trim().toLowerCase().replace(/_/g, '-');
  const asTopic: ExplainTarget | undefined = isTopicId(id) ? { kind: 'topic', id } : undefined;
  const state = parseStateName(word.trim());
  const asState: ExplainTarget | undefined = state ? { kind: 'state', state } : undefined;
  return prefer === 'topic' ? (asTopic ?? asState) : (asState ?? asTopic);
}

/** The words `explain` accepts, for help texts and error messages. */
export function explainWords(): string[] {
  return [...STATE_INFO.map((s) => s.name), ...TOPIC_IDS];
}

/** Whether a word names both a state and a topic (`time-wait`). */
export function isAmbiguousWord(word: string): boolean {
  const a = resolveExplainTarget(word, 'state');
  const b = resolveExplainTarget(word, 'topic');
  return a?.kind === 'state' && b?.kind === 'topic';
}
