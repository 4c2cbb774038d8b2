/**
 * The knowledge base as text: one state, one topic, or the list, wrapped to the terminal's width.
 * Pure: colour comes in as a style the caller builds (plain on a pipe).
 */
import type {
  CommandHint,
  ConnectionPath,
  KnowledgeIndex,
  Lang,
  Setting,
  StateKnowledge,
  TopicKnowledge,
} from '../tcp/knowledge/index.js';
import { textWidth } from './width.js';
import { wrapParagraphs, wrapText } from './wrap.js';

/** How to emphasise parts of the text; identity functions on a pipe. */
export interface ExplainStyle {
  heading(text: string): string;
  strong(text: string): string;
  command(text: string): string;
  faint(text: string): string;
}

/** No colour at all. */
export const PLAIN_STYLE: ExplainStyle = {
  heading: (s) => s,
  strong: (s) => s,
  command: (s) => s,
  faint: (s) => s,
};

export interface ExplainRenderOptions {
  /** Line width in columns. */
  width: number;
  style?: ExplainStyle;
  /** How a related id is typed on the command line (`--topic time-wait` for an ambiguous word). */
  wordFor?: (id: string) => string;
}

const LABELS = {
  en: {
    code: 'kernel code',
    what: 'What it is',
    reachedBy: 'Who gets here, and how',
    paths: 'Paths through it',
    duration: 'How long it lasts',
    settings: 'Settings',
    why: 'When there are many',
    commands: 'How to investigate',
    fix: 'What fixes it',
    related: 'See also (tcpscope explain ...)',
    happens: 'What happens',
    signs: 'How it shows',
    cause: 'Why',
    states: 'States involved',
    corrections: 'Claims often read, checked',
    claim: 'Claim: ',
    truth: 'In fact: ',
    sysctl: 'sysctl',
    constant: 'kernel constant',
    'socket-option': 'socket option',
    dflt: 'default',
    listSep: ', ',
    setsDuration: 'sets how long it lasts',
    open: ' (',
    close: ')',
    comma: ', ',
    colon: ': ',
    stateList: 'TCP states (Linux name, RFC 9293 name)',
    topicList: 'Topics',
    footer:
      'tcpscope explain STATE|TOPIC shows one of them; states in any spelling (time_wait, SYN-RECEIVED, listening). time-wait names a state and a topic: add --topic for the topic.',
  },
  zh: {
    code: '内核编号',
    what: '是什么',
    reachedBy: '哪一端、经由什么转换进入',
    paths: '经过它的路径',
    duration: '持续多久',
    settings: '相关参数',
    why: '大量出现时通常意味着',
    commands: '怎么查',
    fix: '怎么解决',
    related: '另见（tcpscope explain ...）',
    happens: '怎么回事',
    signs: '现象',
    cause: '原因',
    states: '涉及的状态',
    corrections: '常见说法辨析',
    claim: '说法：',
    truth: '事实：',
    sysctl: 'sysctl',
    constant: '内核常量',
    'socket-option': '套接字选项',
    dflt: '默认',
    listSep: '、',
    setsDuration: '决定持续时间',
    open: '（',
    close: '）',
    comma: '，',
    colon: '：',
    stateList: 'TCP 状态（Linux 名称，RFC 9293 名称）',
    topicList: '专题',
    footer:
      '用 tcpscope explain 状态|专题 查看详情；状态名怎么写都行（time_wait、SYN-RECEIVED、listening）。time-wait 既是状态也是专题：加 --topic 查看专题。',
  },
} as const;

type Labels = (typeof LABELS)[Lang];

const IND = '  ';

/**
 * One path as a line, e.g. `client (closes first): CLOSED → SYN_SENT → ...`. CLOSE is written
 * CLOSED here, as the diagrams write it: the line reads as a story, not as a filter word.
 */
export function pathText(p: ConnectionPath, colon = ': '): string {
  return `${p.label}${colon}${p.states.map((s) => (s === 'CLOSE' ? 'CLOSED' : s)).join(' → ')}`;
}

function section(out: string[], style: ExplainStyle, title: string, body: string): void {
  out.push('', style.heading(title), body);
}

function wrapped(text: string, o: Required<ExplainRenderOptions>): string {
  return wrapParagraphs(text, o.width, IND);
}

function commandsText(list: readonly CommandHint[], o: Required<ExplainRenderOptions>): string {
  return list
    .map((c) => {
      const line = `${IND}${o.style.faint('$')} ${o.style.command(c.command)}`;
      return `${line}\n${wrapText(c.purpose, o.width, IND.repeat(3)).join('\n')}`;
    })
    .join('\n');
}

function bulletText(items: readonly string[], o: Required<ExplainRenderOptions>): string {
  return items.map((f) => wrapText(f, o.width, `${IND}• `, IND.repeat(2)).join('\n')).join('\n');
}

function settingsText(list: readonly Setting[], L: Labels, o: Required<ExplainRenderOptions>): string {
  return list
    .map((s) => {
      const facts = [L[s.kind], spaced(L.dflt, s.default)];
      if (s.setsDuration) facts.push(L.setsDuration);
      const head = wrapText(
        `${s.name}${L.open}${facts.join(L.comma)}${L.close}`,
        o.width,
        IND,
        IND.repeat(3),
      );
      head[0] = head[0]!.replace(s.name, o.style.strong(s.name));
      return [...head, ...wrapText(s.effect, o.width, IND.repeat(3))].join('\n');
    })
    .join('\n');
}

function relatedText(ids: readonly string[], L: Labels, o: Required<ExplainRenderOptions>): string {
  return wrapText(ids.map(o.wordFor).join(L.listSep), o.width, IND).join('\n');
}

/** Two words joined by a space, except between two Chinese characters (`默认关闭`, `默认 5`). */
function spaced(a: string, b: string): string {
  const wide = (ch: string | undefined): boolean => ch !== undefined && textWidth(ch) === 2;
  return wide(a.at(-1)) && wide(b[0]) ? a + b : `${a} ${b}`;
}

function withDefaults(o: ExplainRenderOptions): Required<ExplainRenderOptions> {
  return { style: PLAIN_STYLE, wordFor: (id) => id, ...o, width: Math.max(40, o.width) };
}

/** One state, every section, wrapped to `width`. */
export function renderStateKnowledge(k: StateKnowledge, opts: ExplainRenderOptions): string {
  const o = withDefaults(opts);
  const L = LABELS[k.lang];
  const st = o.style;
  const out = [
    `${st.strong(k.title)}  ${st.faint(`${L.code} ${k.code}`)}`,
    wrapText(k.summary, o.width).join('\n'),
  ];
  section(out, st, L.what, wrapped(k.what, o));
  section(out, st, L.reachedBy, wrapped(k.reachedBy, o));
  const mark = (s: string): string => {
    const n = s === 'CLOSE' ? 'CLOSED' : s;
    return s === k.state ? st.strong(n) : n;
  };
  // Wrap the plain text, then paint: escape codes must not count towards the width.
  const paths = k.paths.map((p) =>
    wrapText(pathText(p, L.colon), o.width, IND, IND.repeat(3))
      .map((line) => line.replace(/[A-Z][A-Z_0-9]+/g, (w) => (w === 'CLOSED' ? mark('CLOSE') : mark(w))))
      .join('\n'),
  );
  section(out, st, L.paths, paths.join('\n'));
  section(out, st, L.duration, wrapped(k.duration, o));
  if (k.settings.length > 0) section(out, st, L.settings, settingsText(k.settings, L, o));
  section(out, st, L.why, wrapped(k.why, o));
  section(out, st, L.commands, commandsText(k.commands, o));
  section(out, st, L.fix, bulletText(k.fix, o));
  if (k.related.length > 0) section(out, st, L.related, relatedText(k.related, L, o));
  return `${out.join('\n')}\n`;
}

/** One topic, every section, wrapped to `width`. */
export function renderTopicKnowledge(k: TopicKnowledge, opts: ExplainRenderOptions): string {
  const o = withDefaults(opts);
  const L = LABELS[k.lang];
  const st = o.style;
  const title = wrapText(`${k.title} [${k.id}]`, o.width).map((l) => st.strong(l));
  const out = [...title, wrapText(k.summary, o.width).join('\n')];
  section(out, st, L.happens, wrapped(k.what, o));
  section(out, st, L.signs, wrapped(k.signs, o));
  section(out, st, L.cause, wrapped(k.why, o));
  if (k.states.length > 0) section(out, st, L.states, relatedText(k.states, L, o));
  if (k.settings.length > 0) section(out, st, L.settings, settingsText(k.settings, L, o));
  section(out, st, L.commands, commandsText(k.commands, o));
  section(out, st, L.fix, bulletText(k.fix, o));
  if (k.corrections.length > 0) {
    const items = k.corrections.map((c) =>
      [
        ...wrapText(`${L.claim}${c.claim}`, o.width, `${IND}• `, IND.repeat(2)),
        ...wrapText(`${L.truth}${c.truth}`, o.width, IND.repeat(2)),
      ].join('\n'),
    );
    section(out, st, L.corrections, items.join('\n'));
  }
  if (k.related.length > 0) section(out, st, L.related, relatedText(k.related, L, o));
  return `${out.join('\n')}\n`;
}

/** Rows of `name  text`, the text wrapped in the column left, or below the name when too narrow. */
function twoColumns(rows: [string, string][], o: Required<ExplainRenderOptions>): string {
  const nameWidth = Math.max(...rows.map(([n]) => textWidth(n)));
  const col = IND.length + nameWidth + 2;
  const lines: string[] = [];
  for (const [name, text] of rows) {
    const head = `${IND}${name}${' '.repeat(nameWidth - textWidth(name) + 2)}`;
    const body =
      o.width - col >= 30
        ? wrapText(text, o.width, head, ' '.repeat(col))
        : [`${IND}${name}`, ...wrapText(text, o.width, IND.repeat(3))];
    body[0] = body[0]!.replace(name, o.style.strong(name));
    lines.push(...body);
  }
  return lines.join('\n');
}

/** The list of states and topics. */
export function renderKnowledgeIndex(idx: KnowledgeIndex, opts: ExplainRenderOptions): string {
  const o = withDefaults(opts);
  const L = LABELS[idx.lang];
  const states = twoColumns(
    idx.states.map((s): [string, string] => [
      s.rfc === s.state ? s.state : `${s.state} (${s.rfc})`,
      s.summary,
    ]),
    o,
  );
  const topics = twoColumns(
    idx.topics.map((t): [string, string] => [o.wordFor(t.id), t.title]),
    o,
  );
  const footer = wrapText(L.footer, o.width).join('\n');
  return `${o.style.heading(L.stateList)}\n${states}\n\n${o.style.heading(L.topicList)}\n${topics}\n\n${footer}\n`;
}
