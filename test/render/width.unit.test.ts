/** Display width: ASCII by length, CJK and full-width forms two columns, beyond the BMP too. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textWidth as tableWidth } from '../../src/render/table.js';
import { displayWidth, TextCanvas } from '../../src/render/text-canvas.js';
import { isWide, textWidth } from '../../src/render/width.js';
import { wrapText } from '../../src/render/wrap.js';

describe('display width', () => {
  it('counts ASCII, CJK, full-width forms and box drawing as a terminal shows them', () => {
    for (const [s, w] of [
      ['', 0],
      ['ESTABLISHED', 11],
      ['半连接', 6],
      ['ＡＢ', 4],
      ['한국', 4],
      ['━┃┏', 3],
      ['0/511 + 0/511', 13],
    ] as const) {
      assert.equal(textWidth(s), w, s);
      assert.equal(tableWidth(s), w, s);
      assert.equal(displayWidth(s), w, s);
    }
  });

  it('counts characters beyond the BMP: CJK extension B and wide emoji take two columns', () => {
    assert.equal(textWidth('\u{20000}'), 2, 'U+20000, CJK Unified Ideographs Extension B');
    assert.equal(textWidth('a\u{2A6DF}b'), 4);
    assert.equal(textWidth('\u{1F600}'), 2, 'U+1F600, an emoji of East Asian width W');
    assert.equal(textWidth('\u{1D400}'), 1, 'U+1D400, a narrow letter beyond the BMP');
    assert.ok(isWide('\u{20000}'));
    assert.equal(displayWidth('表\u{20000}'), 4);
  });

  it('lays out such characters in two cells of a figure and wraps by their width', () => {
    const c = new TextCanvas(6, 1);
    c.text(0, 0, '\u{20000}ab|');
    assert.equal(
      c.render((_, t) => t),
      '\u{20000}ab|\n',
      'the bar in the fifth column',
    );
    assert.deepEqual(wrapText('\u{20000}\u{20000}\u{20000}', 4), ['\u{20000}\u{20000}', '\u{20000}']);
  });
});
