/**
 * The shapes of the knowledge base. Sources hold every text in both languages side by side (a
 * `Bilingual`), so an entry cannot lack a language without the type checker noticing; the API projects
 * them to one language (`StateKnowledge`, `TopicKnowledge`), the shapes `explain --json` prints and
 * the doctor cites.
 */
import type { Side, TcpState } from '../states.js';

/** The languages tcpscope explains in. */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** One text in every language. Paragraphs are separated by a blank line (`\n\n`). */
export interface Bilingual {
  readonly en: string;
  readonly zh: string;
}

/** What kind of knob a setting is: only a `sysctl` can be changed on a running machine. */
export type SettingKind = 'sysctl' | 'constant' | 'socket-option';

/** A knob or constant, as the catalogue in settings.ts holds it. */
export interface SettingSource {
  /** The full name: `net.ipv4.tcp_fin_timeout`, `TCP_TIMEWAIT_LEN`, `SO_REUSEADDR`. */
  readonly name: string;
  readonly kind: SettingKind;
  /** The default as a person reads it (`60 s`, `6`, `32768 60999`). */
  readonly default: Bilingual;
  readonly effect: Bilingual;
}

/** A setting as an entry cites it: `setsDuration` says it decides how long the state lasts. */
export interface SettingRef {
  readonly key: string;
  readonly setsDuration?: boolean;
}

/** A command line to run and what it shows. The line is the same in every language. */
export interface CommandSource {
  readonly command: string;
  readonly purpose: Bilingual;
}

/** A claim often read about TCP, and what the kernel and RFC 9293 really say. */
export interface CorrectionSource {
  readonly claim: Bilingual;
  readonly truth: Bilingual;
}

/** Everything known about one state, in both languages. */
export interface StateSource {
  readonly state: TcpState;
  /** What the state is. */
  readonly what: Bilingual;
  /** Which end reaches it, through which transition (RFC 9293 §3.3.2, Figure 5, and Linux). */
  readonly reachedBy: Bilingual;
  /** How long it normally lasts and what sets that. */
  readonly duration: Bilingual;
  /** What many sockets in this state usually mean. */
  readonly why: Bilingual;
  readonly settings: readonly SettingRef[];
  readonly commands: readonly CommandSource[];
  readonly fix: readonly Bilingual[];
  /** Topic ids and state names worth reading next. */
  readonly related: readonly string[];
}

/** The topics' ids, in the order `tcpscope explain` lists them. */
export const TOPIC_IDS = [
  'syn-flood',
  'accept-queue-overflow',
  'half-open',
  'close-wait-leak',
  'time-wait',
  'eaddrinuse',
  'port-exhaustion',
  'folklore',
] as const;
export type TopicId = (typeof TOPIC_IDS)[number];

/** Everything known about one situation, in both languages. */
export interface TopicSource {
  readonly id: TopicId;
  readonly title: Bilingual;
  readonly summary: Bilingual;
  /** What happens, mechanically. */
  readonly what: Bilingual;
  /** How it shows: states, counters, errors, log lines. */
  readonly signs: Bilingual;
  /** Why it happens. */
  readonly why: Bilingual;
  readonly settings: readonly SettingRef[];
  readonly commands: readonly CommandSource[];
  readonly fix: readonly Bilingual[];
  /** The states the situation involves. */
  readonly states: readonly TcpState[];
  readonly corrections: readonly CorrectionSource[];
  readonly related: readonly string[];
}

/** A setting in one language. */
export interface Setting {
  readonly name: string;
  readonly kind: SettingKind;
  readonly default: string;
  readonly effect: string;
  /** True when this setting decides how long the state lasts. */
  readonly setsDuration: boolean;
}

/** A command in one language. */
export interface CommandHint {
  readonly command: string;
  readonly purpose: string;
}

/** A correction in one language. */
export interface Correction {
  readonly claim: string;
  readonly truth: string;
}

/** A usual sequence of states one end goes through. */
export interface ConnectionPath {
  readonly id: string;
  /** Who walks it, in words: `client (closes first)`. */
  readonly label: string;
  readonly states: readonly TcpState[];
  /** Simultaneous open or close: shown for a state only when no common path has it. */
  readonly rare: boolean;
}

/** The fields a doctor finding cites, common to states and topics. */
export interface KnowledgeCommon {
  readonly lang: Lang;
  readonly title: string;
  readonly summary: string;
  /** For a state: what many of them usually mean. For a topic: why it happens. */
  readonly why: string;
  readonly fix: readonly string[];
  readonly commands: readonly CommandHint[];
  readonly settings: readonly Setting[];
  readonly related: readonly string[];
}

/** One state explained in one language (`tcpscope explain STATE --json`). */
export interface StateKnowledge extends KnowledgeCommon {
  readonly kind: 'state';
  readonly state: TcpState;
  readonly rfc: string;
  readonly code: number;
  readonly side: Side;
  readonly what: string;
  readonly reachedBy: string;
  readonly duration: string;
  readonly paths: readonly ConnectionPath[];
}

/** One topic explained in one language (`tcpscope explain TOPIC --json`). */
export interface TopicKnowledge extends KnowledgeCommon {
  readonly kind: 'topic';
  readonly id: TopicId;
  readonly what: string;
  readonly signs: string;
  readonly states: readonly TcpState[];
  readonly corrections: readonly Correction[];
}

/** The list `tcpscope explain` prints with no argument. */
export interface KnowledgeIndex {
  readonly lang: Lang;
  readonly states: readonly { state: TcpState; rfc: string; code: number; summary: string }[];
  readonly topics: readonly { id: TopicId; title: string; summary: string }[];
}
