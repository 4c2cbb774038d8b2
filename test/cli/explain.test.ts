/** `tcpscope explain`, run as users run it: the built CLI, in both languages, text and JSON. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { textWidth } from '../../src/render/table.js';
import { stateKnowledge, TOPIC_IDS, topics } from '../../src/tcp/knowledge/index.js';
import { TCP_STATES } from '../../src/tcp/states.js';
import { BIN, tcpscope } from '../helpers/cli.js';

const CJK = /[\u4e00-\u9fff]/;
/** A locale-free environment, so the default language is English whatever the machine says. */
const EN = { LANG: undefined, LC_ALL: undefined, LC_MESSAGES: undefined };

function ok(args: string[], env: Record<string, string | undefined> = EN): string {
  const r = tcpscope(args, { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr, '', args.join(' '));
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour on a pipe');
  return r.stdout;
}

/** Lines over the pipe's 80 columns that could have been broken. */
function overlong(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => textWidth(l) > 80 && !l.startsWith('  $ ') && !/^\S+$/.test(l.trim()));
}

describe('tcpscope explain', () => {
  it('lists every state and topic, in English and in Chinese', () => {
    const en = ok(['explain']);
    for (const s of TCP_STATES) assert.match(en, new RegExp(`^  ${s}\\b`, 'm'), s);
    for (const id of TOPIC_IDS) assert.match(en, new RegExp(`^  (--topic )?${id}\\b`, 'm'), id);
    assert.match(en, /^TCP states/m);
    const zh = ok(['explain', '--lang', 'zh']);
    assert.match(zh, /^TCP 状态/m);
    assert.match(zh, /^专题$/m);
    assert.match(zh, /SYN 洪水攻击与 SYN cookie/);
  });

  it('explains every state and topic in both languages, within 80 columns on a pipe', () => {
    for (const lang of ['en', 'zh']) {
      for (const word of [...TCP_STATES, ...TOPIC_IDS.map((id) => `--topic=${id}`)]) {
        const args = word.startsWith('--topic=') ? ['explain', '--topic', word.slice(8)] : ['explain', word];
        const out = ok([...args, '--lang', lang]);
        assert.equal(CJK.test(out), lang === 'zh', `${word}/${lang}`);
        assert.deepEqual(overlong(out), [], `${word}/${lang}`);
      }
    }
  });

  it('takes any spelling of a state, and shows the paths through it', () => {
    const out = ok(['explain', 'syn_rcvd']);
    assert.match(out, /^SYN_RECV \(SYN-RECEIVED\) {2}kernel code 3$/m);
    assert.match(out, /^Paths through it$/m);
    assert.match(out, /server \(closes second\): LISTEN → SYN_RECV → ESTABLISHED → CLOSE_WAIT/);
    assert.equal(ok(['explain', 'SYN-RECEIVED']), out);
    assert.equal(ok(['explain', 'Syn-Recv']), out);
    assert.match(ok(['explain', 'listening']), /^LISTEN {2}kernel code 10$/m);
  });

  it('takes the language from LC_ALL, LC_MESSAGES or LANG, and --lang over them', () => {
    assert.match(ok(['explain', 'close-wait'], { ...EN, LANG: 'zh_CN.UTF-8' }), /^怎么查$/m);
    assert.match(ok(['explain', 'close-wait'], { ...EN, LC_MESSAGES: 'zh_TW.UTF-8' }), /^怎么查$/m);
    assert.match(
      ok(['explain', 'close-wait'], { LANG: 'zh_CN.UTF-8', LC_ALL: 'en_US.UTF-8' }),
      /^How to investigate$/m,
    );
    assert.match(
      ok(['explain', 'close-wait', '--lang', 'en'], { ...EN, LANG: 'zh_CN.UTF-8' }),
      /^How to investigate$/m,
    );
  });

  it('reads time-wait as the state, and as the topic with --topic', () => {
    assert.match(ok(['explain', 'time-wait']), /^TIME_WAIT \(TIME-WAIT\)/m);
    assert.match(ok(['explain', '--topic', 'time-wait']), /^TIME_WAIT and the 2MSL wait \[time-wait\]$/m);
    assert.match(ok(['explain', 'time-wait']), /--topic time-wait/, 'the state points to the topic');
  });

  it('prints a state as JSON, with the fields the doctor cites', () => {
    const k = JSON.parse(ok(['explain', 'TIME_WAIT', '--json']));
    assert.equal(k.kind, 'state');
    assert.equal(k.state, 'TIME_WAIT');
    assert.equal(k.rfc, 'TIME-WAIT');
    assert.equal(k.code, 6);
    assert.equal(k.lang, 'en');
    for (const f of ['title', 'summary', 'what', 'reachedBy', 'duration', 'why'])
      assert.equal(typeof k[f], 'string', f);
    assert.ok(k.fix.length > 0 && k.fix.every((f: unknown) => typeof f === 'string'));
    assert.ok(k.commands.every((c: { command: string; purpose: string }) => c.command && c.purpose));
    assert.deepEqual(
      k.settings.find((s: { name: string }) => s.name === 'TCP_TIMEWAIT_LEN'),
      {
        name: 'TCP_TIMEWAIT_LEN',
        kind: 'constant',
        default: '60 s',
        effect:
          'How long TIME_WAIT lasts, compiled into the kernel (include/net/tcp.h). No sysctl changes it.',
        setsDuration: true,
      },
    );
    // States in JSON are the Linux identifiers: CLOSE, never CLOSED.
    assert.deepEqual(k.paths[0].states, [
      'CLOSE',
      'SYN_SENT',
      'ESTABLISHED',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE',
    ]);
  });

  it('prints a topic and the list as JSON, in Chinese when asked', () => {
    const t = JSON.parse(ok(['explain', 'syn-flood', '--json', '--lang', 'zh']));
    assert.equal(t.kind, 'topic');
    assert.equal(t.id, 'syn-flood');
    assert.equal(t.lang, 'zh');
    assert.match(t.why, CJK);
    assert.ok(Array.isArray(t.corrections) && t.corrections.length > 0);
    assert.deepEqual(t.states, ['SYN_RECV', 'LISTEN']);
    const idx = JSON.parse(ok(['explain', '--json']));
    assert.equal(idx.lang, 'en');
    assert.deepEqual(
      idx.states.map((s: { state: string }) => s.state),
      [...TCP_STATES],
    );
    assert.deepEqual(
      idx.topics.map((s: { id: string }) => s.id),
      [...TOPIC_IDS],
    );
  });

  it('rejects an unknown name or language with one line and exit 2', () => {
    for (const args of [
      ['explain', 'bogus'],
      ['explain', '--topic', 'bogus'],
      ['explain', 'close', '--lang', 'fr'],
    ]) {
      const r = tcpscope(args, { env: EN });
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.match(
      tcpscope(['explain', 'bogus']).stderr,
      /^tcpscope: explain: unknown state or topic 'bogus': valid are ESTABLISHED, SYN_SENT, .*CLOSING, syn-flood, .*folklore\n$/,
    );
    assert.match(
      tcpscope(['explain', 'close', '--lang', 'fr']).stderr,
      /unknown language 'fr': valid are en, zh/,
    );
  });
});

describe('the tcpscope commands the knowledge base suggests', () => {
  it('run as written (placeholders filled in), for every command this build has', () => {
    const lines = new Set<string>();
    for (const s of TCP_STATES) for (const c of stateKnowledge(s).commands) lines.add(c.command);
    for (const t of topics()) for (const c of t.commands) lines.add(c.command);
    const help = tcpscope(['--help']).stdout;
    let ran = 0;
    for (const line of [...lines].filter((l) => l.startsWith('tcpscope '))) {
      const sub = line.split(' ')[1]!;
      // Commands of other branches (stat, counters) are checked once they are merged in.
      if (!new RegExp(`^  ${sub}\\b`, 'm').test(help)) continue;
      const shell = line
        .replace(/^tcpscope /, `${process.execPath} ${BIN} `)
        .replace(/\bPORT\b/, '22')
        .replace(/\bPID\b/, '1')
        .replace(/ 1 (5|10)$/, ' 1 1');
      const r = spawnSync('sh', ['-c', shell], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      assert.ok(r.status === 0 || r.status === 1, `${line}: exit ${r.status}: ${r.stderr}`);
      ran++;
    }
    assert.ok(ran >= 25, `only ${ran} commands ran`);
  });
});
