import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ExplainStyle,
  renderKnowledgeIndex,
  renderStateKnowledge,
  renderTopicKnowledge,
} from '../../src/render/explain.js';
import { textWidth } from '../../src/render/table.js';
import { wrapText } from '../../src/render/wrap.js';
import { knowledgeIndex, LANGS, stateKnowledge, topics } from '../../src/tcp/knowledge/index.js';
import { TCP_STATES } from '../../src/tcp/states.js';

/**
 * Lines wider than `width`, leaving out command lines, which are never broken (copy and paste),
 * and lines holding one word longer than the line (a path, a sysctl name, a `code span`).
 */
function overlong(text: string, width: number): string[] {
  const oneWord = (l: string): boolean =>
    /^(\S+|`[^`]+`\S*)$/.test(l.trim()) && !/[\u4e00-\u9fff]/.test(l.replace(/`[^`]*`/g, ''));
  return text.split('\n').filter((l) => textWidth(l) > width && !l.startsWith('  $ ') && !oneWord(l));
}

describe('wrapText', () => {
  it('breaks English at spaces, within the width, with a hanging indent', () => {
    const lines = wrapText('one two three four five six seven eight nine ten', 16, '- ', '  ');
    assert.deepEqual(lines, ['- one two three', '  four five six', '  seven eight', '  nine ten']);
  });

  it('breaks Chinese between characters, never before closing punctuation', () => {
    const text = '大量 CLOSE_WAIT 是本地程序的 bug，绝不是网络问题：对端挂断后，程序没有关闭连接。';
    for (let width = 8; width <= 40; width++) {
      const lines = wrapText(text, width);
      for (const l of lines) {
        assert.ok(textWidth(l) <= width || !l.includes(' '), `width ${width}: '${l}'`);
        assert.doesNotMatch(l, /^[，。：；、）]/, `width ${width}: '${l}' starts with punctuation`);
      }
      // Nothing is lost or reordered: only the spaces at the breaks go.
      assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''));
    }
  });

  it('gives a word wider than the line a line of its own', () => {
    assert.deepEqual(wrapText('a net.ipv4.tcp_max_syn_backlog b', 10), [
      'a',
      'net.ipv4.tcp_max_syn_backlog',
      'b',
    ]);
  });
});

describe('explain renderers', () => {
  it('fits every state and topic, in both languages, to widths from 40 to 120', () => {
    for (const lang of LANGS) {
      for (const width of [40, 57, 80, 120]) {
        for (const state of TCP_STATES) {
          assert.deepEqual(
            overlong(renderStateKnowledge(stateKnowledge(state, lang), { width }), width),
            [],
            state,
          );
        }
        for (const k of topics(lang)) {
          assert.deepEqual(overlong(renderTopicKnowledge(k, { width }), width), [], k.id);
        }
        assert.deepEqual(overlong(renderKnowledgeIndex(knowledgeIndex(lang), { width }), width), []);
      }
    }
  });

  it('shows the client and server paths through a state', () => {
    const text = renderStateKnowledge(stateKnowledge('TIME_WAIT'), { width: 200 });
    assert.match(
      text,
      /client \(closes first\): CLOSED → SYN_SENT → ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT → CLOSED/,
    );
    assert.match(text, /server \(closes first\): LISTEN → SYN_RECV → ESTABLISHED → FIN_WAIT1/);
    const zh = renderStateKnowledge(stateKnowledge('CLOSE_WAIT', 'zh'), { width: 200 });
    assert.match(zh, /服务端（后关闭）：LISTEN → SYN_RECV → ESTABLISHED → CLOSE_WAIT → LAST_ACK → CLOSED/);
  });

  it('titles each section in the language asked for', () => {
    const en = renderStateKnowledge(stateKnowledge('SYN_SENT', 'en'), { width: 80 });
    for (const h of ['What it is', 'Who gets here, and how', 'How long it lasts', 'When there are many']) {
      assert.match(en, new RegExp(`^${h}$`, 'm'));
    }
    assert.match(en, /^ {2}\$ tcpscope count --by peer -s syn-sent$/m);
    const zh = renderTopicKnowledge(topics('zh')[0]!, { width: 80 });
    for (const h of ['怎么回事', '现象', '原因', '怎么查', '怎么解决'])
      assert.match(zh, new RegExp(`^${h}$`, 'm'));
  });

  it('paints through the style, after wrapping', () => {
    const mark: ExplainStyle = {
      heading: (s) => `<h>${s}</h>`,
      strong: (s) => `<b>${s}</b>`,
      command: (s) => `<c>${s}</c>`,
      faint: (s) => s,
    };
    const text = renderStateKnowledge(stateKnowledge('LAST_ACK'), { width: 80, style: mark });
    assert.match(text, /^<h>What it is<\/h>$/m);
    assert.match(text, /<b>LAST_ACK<\/b> → CLOSED/);
    assert.match(text, /\$ <c>tcpscope count --by peer -s last-ack<\/c>/);
  });
});
