import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTION_PATHS,
  explainWords,
  isAmbiguousWord,
  knowledgeIndex,
  knowledgeOf,
  LANGS,
  type Lang,
  langFromEnv,
  parseLang,
  pathsThrough,
  resolveExplainTarget,
  stateKnowledge,
  TOPIC_IDS,
  topic,
  topics,
} from '../../src/tcp/knowledge/index.js';
import { SETTINGS } from '../../src/tcp/knowledge/settings.js';
import { STATE_SOURCES } from '../../src/tcp/knowledge/states/index.js';
import { TOPIC_SOURCES } from '../../src/tcp/knowledge/topics/index.js';
import { TCP_STATES } from '../../src/tcp/states.js';

const CJK = /[\u4e00-\u9fff]/;

/** A non-empty string, in the language asked for: Chinese has CJK characters, English has none. */
function assertText(value: unknown, lang: Lang, where: string): void {
  assert.equal(typeof value, 'string', `${where}: not a string`);
  const s = value as string;
  assert.ok(s.trim().length > 0, `${where}: empty`);
  if (lang === 'zh') assert.match(s, CJK, `${where}: no Chinese characters`);
  else assert.doesNotMatch(s, CJK, `${where}: Chinese characters in English text`);
}

function assertList<T>(list: readonly T[], where: string, each: (item: T, at: string) => void): void {
  assert.ok(Array.isArray(list) && list.length > 0, `${where}: empty list`);
  list.forEach((item, i) => {
    each(item, `${where}[${i}]`);
  });
}

describe('knowledge base: every state in both languages', () => {
  it('has an entry for each of the 11 states, keyed by its own name', () => {
    assert.deepEqual(Object.keys(STATE_SOURCES).sort(), [...TCP_STATES].sort());
    for (const [key, src] of Object.entries(STATE_SOURCES)) assert.equal(src.state, key);
  });

  for (const lang of LANGS) {
    it(`fills every field of every state in ${lang}`, () => {
      for (const state of TCP_STATES) {
        const k = stateKnowledge(state, lang);
        const at = `${state}/${lang}`;
        assert.equal(k.lang, lang);
        assert.equal(k.kind, 'state');
        for (const f of ['summary', 'what', 'reachedBy', 'duration', 'why'] as const) {
          assertText(k[f], lang, `${at}.${f}`);
        }
        assert.ok(k.title.startsWith(state), at);
        assertList(k.fix, `${at}.fix`, (f, w) => assertText(f, lang, w));
        assertList(k.commands, `${at}.commands`, (c, w) => {
          assert.ok(c.command.trim().length > 0, `${w}.command`);
          assert.doesNotMatch(c.command, CJK, `${w}.command is the same in every language`);
          assertText(c.purpose, lang, `${w}.purpose`);
        });
        assert.ok(
          k.commands.some((c) => c.command.startsWith('tcpscope ')),
          `${at}: a tcpscope command`,
        );
        assert.ok(
          k.commands.some((c) =>
            /^(ss|netstat|lsof|tcpdump|nstat|sar|dmesg|sysctl|cat|ls|grep|gdb|ping|ip) /.test(c.command),
          ),
          `${at}: a classic command`,
        );
        for (const s of k.settings) assertText(s.effect, lang, `${at}.settings.${s.name}`);
        assertList(k.paths, `${at}.paths`, (p, w) => {
          assertText(p.label, lang, `${w}.label`);
          assert.ok(p.states.includes(state), `${w} passes through ${state}`);
        });
      }
    });
  }
});

describe('knowledge base: every topic in both languages', () => {
  it('offers every situation explain documents, each keyed by its own id', () => {
    for (const id of [
      'syn-flood',
      'half-open',
      'close-wait-leak',
      'time-wait',
      'eaddrinuse',
      'port-exhaustion',
      'accept-queue-overflow',
      'folklore',
    ]) {
      assert.ok((TOPIC_IDS as readonly string[]).includes(id), id);
    }
    assert.deepEqual(Object.keys(TOPIC_SOURCES).sort(), [...TOPIC_IDS].sort());
    for (const [key, src] of Object.entries(TOPIC_SOURCES)) assert.equal(src.id, key);
  });

  for (const lang of LANGS) {
    it(`fills every field of every topic in ${lang}`, () => {
      for (const k of topics(lang)) {
        const at = `${k.id}/${lang}`;
        assert.equal(k.kind, 'topic');
        for (const f of ['title', 'summary', 'what', 'signs', 'why'] as const)
          assertText(k[f], lang, `${at}.${f}`);
        assertList(k.fix, `${at}.fix`, (f, w) => assertText(f, lang, w));
        assertList(k.commands, `${at}.commands`, (c, w) => assertText(c.purpose, lang, `${w}.purpose`));
        for (const [i, c] of k.corrections.entries()) {
          assertText(c.claim, lang, `${at}.corrections[${i}].claim`);
          assertText(c.truth, lang, `${at}.corrections[${i}].truth`);
        }
        for (const s of k.states) assert.ok((TCP_STATES as readonly string[]).includes(s), `${at}: ${s}`);
      }
    });
  }

  it('corrects the folklore the brief names', () => {
    const truths = topic('folklore').corrections.map((c) => `${c.claim} => ${c.truth}`);
    const has = (re: RegExp): boolean => truths.some((t) => re.test(t));
    assert.ok(has(/sar -n SOCK.*sockets in use.*sar -n TCP.*active\/s.*passive\/s/s), 'sar -n SOCK');
    assert.ok(has(/LAST_ACK.*kernel.*answering/s), 'killed client, LAST_ACK');
    assert.ok(has(/TIME_WAIT is a fixed 60 s.*no sysctl/s), 'TIME_WAIT fixed');
    assert.ok(has(/CLOSE_WAIT.*does not call close\(\)/s), 'CLOSE_WAIT');
    assert.ok(has(/SYN_SENT.*scanning/s), 'SYN_SENT');
    assert.ok(has(/backdoor|trojan/is), 'unexpected listener');
  });
});

/** Every bilingual text of the sources, with where it sits. */
function* bilinguals(value: unknown, where: string): Generator<[string, { en: string; zh: string }]> {
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (keys.length === 2 && keys[0] === 'en' && keys[1] === 'zh') {
    yield [where, o as { en: string; zh: string }];
    return;
  }
  for (const [k, v] of Object.entries(o)) yield* bilinguals(v, `${where}.${k}`);
}

describe('knowledge base: the sources', () => {
  it('has every text in both languages, non-empty, the Chinese in Chinese', () => {
    let n = 0;
    for (const [where, text] of bilinguals(
      { STATE_SOURCES, TOPIC_SOURCES, CONNECTION_PATHS, SETTINGS },
      '',
    )) {
      n++;
      assert.ok(text.en.trim() && text.zh.trim(), `${where}: empty`);
      // A default such as `6` or `32768 60999` reads the same in both languages.
      if (where.endsWith('.default') && text.en === text.zh) continue;
      assert.match(text.zh, CJK, `${where}.zh`);
      assert.doesNotMatch(text.en, CJK, `${where}.en`);
    }
    assert.ok(n > 300, `only ${n} texts found: the walk is broken`);
  });

  it('cites only settings of the catalogue, and related entries that exist', () => {
    const entries = [...Object.values(STATE_SOURCES), ...Object.values(TOPIC_SOURCES)];
    for (const e of entries) {
      const name = 'state' in e ? e.state : e.id;
      for (const r of e.settings) assert.ok(r.key in SETTINGS, `${name}: setting ${r.key}`);
      for (const id of e.related) {
        const known =
          (TCP_STATES as readonly string[]).includes(id) || (TOPIC_IDS as readonly string[]).includes(id);
        assert.ok(known, `${name}: related '${id}'`);
      }
    }
  });
});

const NEGATION = {
  en: /\b(no|not|never|nothing|none|only|fixed|constant|cannot|does not|doesn't|isn't)\b/i,
  zh: /不|没有|无关|并非|固定|只管|无法/,
};

/** Sentences that tie TIME_WAIT's length to a sysctl without a negation. */
function timeWaitSysctlClaims(text: string, lang: Lang): string[] {
  return text
    .split(/(?<=[.!?])\s+|(?<=[。！？；;])/)
    .filter((s) => /TIME[_-]WAIT/i.test(s) && /tcp_fin_timeout|sysctl|\/proc\/sys/i.test(s))
    .filter((s) => !NEGATION[lang].test(s));
}

describe('knowledge base: TIME_WAIT is never set by a sysctl', () => {
  it('cites only the kernel constant as what sets TIME_WAIT', () => {
    for (const lang of LANGS) {
      for (const k of [stateKnowledge('TIME_WAIT', lang), topic('time-wait', lang)]) {
        const timers = k.settings.filter((s) => s.setsDuration);
        assert.deepEqual(
          timers.map((s) => [s.name, s.kind]),
          [['TCP_TIMEWAIT_LEN', 'constant']],
        );
        assert.match(timers[0]!.default, /^60/);
      }
    }
  });

  it('lets tcp_fin_timeout set the duration of orphaned FIN_WAIT2 only', () => {
    for (const state of TCP_STATES) {
      const cites = stateKnowledge(state).settings.some(
        (s) => s.name === 'net.ipv4.tcp_fin_timeout' && s.setsDuration,
      );
      assert.equal(cites, state === 'FIN_WAIT2', state);
    }
    for (const k of topics()) {
      assert.ok(!k.settings.some((s) => s.name === 'net.ipv4.tcp_fin_timeout' && s.setsDuration), k.id);
    }
  });

  it('has no sentence that ties TIME_WAIT to a sysctl (claims being corrected aside)', () => {
    assert.equal(timeWaitSysctlClaims('tcp_fin_timeout sets how long TIME_WAIT lasts.', 'en').length, 1);
    assert.equal(timeWaitSysctlClaims('TIME_WAIT 的时长由 tcp_fin_timeout 决定。', 'zh').length, 1);
    let scanned = 0;
    for (const lang of LANGS) {
      for (const k of [...TCP_STATES.map((s) => stateKnowledge(s, lang)), ...topics(lang)]) {
        for (const text of stringsOf(k)) {
          scanned++;
          assert.deepEqual(timeWaitSysctlClaims(text, lang), [], `${k.title}/${lang}`);
        }
      }
    }
    assert.ok(scanned > 500, `only ${scanned} strings scanned`);
  });
});

/** Every string value inside `value`, except the claims the folklore entries correct. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'claim' ? [] : stringsOf(v)));
}

describe('knowledge base: lookups', () => {
  it('resolves any state spelling and any topic id', () => {
    const table: [string, 'state' | 'topic' | undefined, string | undefined, string?][] = [
      ['time_wait', 'state', 'TIME_WAIT'],
      ['TIME-WAIT', 'state', 'TIME_WAIT'],
      ['time-wait', 'state', 'TIME_WAIT'],
      ['time-wait', 'topic', 'time-wait', 'topic'],
      ['syn_rcvd', 'state', 'SYN_RECV'],
      ['SYN-RECEIVED', 'state', 'SYN_RECV'],
      ['listening', 'state', 'LISTEN'],
      ['closed', 'state', 'CLOSE'],
      ['SYN-FLOOD', 'topic', 'syn-flood'],
      ['close_wait_leak', 'topic', 'close-wait-leak'],
      ['established', 'state', 'ESTABLISHED', 'topic'],
      ['nope', undefined, undefined],
    ];
    for (const [word, kind, name, prefer] of table) {
      const r = resolveExplainTarget(word, prefer === 'topic' ? 'topic' : 'state');
      assert.equal(r?.kind, kind, word);
      if (r) assert.equal(r.kind === 'state' ? r.state : r.id, name, word);
    }
    assert.equal(knowledgeOf({ kind: 'topic', id: 'half-open' }, 'zh').title, topic('half-open', 'zh').title);
    assert.equal(knowledgeOf({ kind: 'state', state: 'LISTEN' }).title, 'LISTEN');
    assert.ok(isAmbiguousWord('time-wait'));
    assert.ok(!isAmbiguousWord('syn-flood'));
    assert.deepEqual(explainWords().slice(0, 2), ['ESTABLISHED', 'SYN_SENT']);
    assert.ok(explainWords().includes('port-exhaustion'));
  });

  it('takes the language from the locale, LC_ALL first', () => {
    assert.equal(langFromEnv({}), 'en');
    assert.equal(langFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh');
    assert.equal(langFromEnv({ LANG: 'zh_TW' }), 'zh');
    assert.equal(langFromEnv({ LANG: 'en_US.UTF-8' }), 'en');
    assert.equal(langFromEnv({ LANG: 'C.UTF-8' }), 'en');
    assert.equal(langFromEnv({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en');
    assert.equal(langFromEnv({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US' }), 'zh');
    assert.equal(langFromEnv({ LC_ALL: '', LANG: 'zh_CN' }), 'zh');
    assert.equal(parseLang('zh'), 'zh');
    assert.equal(parseLang('ZH_cn'), 'zh');
    assert.equal(parseLang('en-US'), 'en');
    assert.equal(parseLang('fr'), undefined);
    assert.equal(parseLang('zhx'), undefined);
  });

  it('gives every state its paths, CLOSING the simultaneous close', () => {
    for (const state of TCP_STATES) assert.ok(pathsThrough(state).length > 0, state);
    assert.deepEqual(
      pathsThrough('CLOSING').map((p) => p.id),
      ['simultaneous-close'],
    );
    assert.deepEqual(
      stateKnowledge('TIME_WAIT').paths.map((p) => p.id),
      ['client-active-close', 'server-active-close'],
    );
  });

  it('lists 11 states and every topic in the index', () => {
    const idx = knowledgeIndex('zh');
    assert.equal(idx.states.length, 11);
    assert.deepEqual(
      idx.topics.map((t) => t.id),
      [...TOPIC_IDS],
    );
    for (const t of idx.topics) assert.match(t.title, CJK);
  });
});
