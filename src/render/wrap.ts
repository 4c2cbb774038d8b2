/**
 * Word wrapping by display width, for English and Chinese alike: English breaks at spaces, Chinese
 * between any two characters, except before closing punctuation (，。）…) and after opening
 * punctuation (（「), the basic line-breaking rules of CJK text; a `code span` is never broken.
 * Pure.
 */
import { textWidth } from './width.js';

/**
 * A piece that is never split: a run of non-CJK, non-space characters, or one CJK character,
 * with the punctuation that may not be parted from it.
 */
interface Atom {
  text: string;
  /** A space separated it from the atom before. */
  spaced: boolean;
}

const CLOSING = new Set([...'，。、；：！？）」』》〉】…—％'].concat(['’', '”']));
const OPENING = new Set([...'（「『《〈【'].concat(['‘', '“']));

function isWide(ch: string): boolean {
  return textWidth(ch) === 2;
}

/** The atoms of `text`, an atom that may not start a line glued to the one before it. */
function atomsOf(text: string): Atom[] {
  const atoms: Atom[] = [];
  let word = '';
  let spaced = false;
  let code = false;
  const push = (t: string): void => {
    const prev = atoms[atoms.length - 1];
    if (prev && !spaced && (CLOSING.has(t[0]!) || OPENING.has(prev.text.at(-1)!))) prev.text += t;
    else atoms.push({ text: t, spaced });
    spaced = false;
  };
  for (const ch of text) {
    // A `code span` is one atom: a command must not be cut in two.
    if (ch === '`') code = !code;
    if (code || ch === '`') {
      word += ch;
    } else if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (word) push(word);
      word = '';
      spaced = true;
    } else if (isWide(ch) || CLOSING.has(ch) || OPENING.has(ch)) {
      if (word) push(word);
      word = '';
      push(ch);
    } else {
      word += ch;
    }
  }
  if (word) push(word);
  return atoms;
}

/**
 * `text` as lines no wider than `width` columns, the first starting with `first` and the others
 * with `rest` (a hanging indent). An atom wider than the line gets a line of its own.
 */
export function wrapText(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const atom of atomsOf(text)) {
    const sep = !empty && atom.spaced ? ' ' : '';
    if (!empty && textWidth(line) + sep.length + textWidth(atom.text) > width) {
      lines.push(line);
      line = rest + atom.text;
    } else {
      line += sep + atom.text;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Paragraphs (separated by blank lines) wrapped with the same indent, joined by blank lines. */
export function wrapParagraphs(text: string, width: number, indent: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => wrapText(p.trim(), width, indent).join('\n'))
    .join('\n\n');
}
