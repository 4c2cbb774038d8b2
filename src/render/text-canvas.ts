/**
 * A character grid for drawing figures in the terminal: boxes, orthogonal lines with the right
 * corner glyphs, arrowheads and labels. Each cell keeps a style so the caller can colour runs.
 * Wide (CJK) characters take two cells, as terminals show them.
 */

import { isWide, textWidth } from './width.js';

export { isWide };

export type LineKind = 'heavy' | 'dashed' | 'light' | 'dotted';

const GLYPHS: Record<LineKind, { h: string; v: string; corners: string }> = {
  // corners in the order: down-right ┌, down-left ┐, up-right └, up-left ┘
  heavy: { h: '━', v: '┃', corners: '┏┓┗┛' },
  dashed: { h: '╍', v: '╏', corners: '┏┓┗┛' },
  light: { h: '─', v: '│', corners: '┌┐└┘' },
  dotted: { h: '┈', v: '┊', corners: '┌┐└┘' },
};

/** Display width of a string in terminal columns (see width.ts). */
export const displayWidth = textWidth;

export class TextCanvas {
  private readonly cells: string[][];
  private readonly styles: (string | undefined)[][];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.cells = Array.from({ length: height }, () => Array<string>(width).fill(' '));
    this.styles = Array.from({ length: height }, () => Array<string | undefined>(width).fill(undefined));
  }

  put(x: number, y: number, ch: string, style?: string): void {
    if (y < 0 || y >= this.height || x < 0 || x >= this.width) return;
    this.cells[y]![x] = ch;
    this.styles[y]![x] = style;
  }

  /** Writes text from column x (anchor `start`), centred on x, or ending at x. */
  text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end' = 'start', style?: string): void {
    const w = displayWidth(s);
    let col = anchor === 'start' ? x : anchor === 'middle' ? x - Math.floor(w / 2) : x - w + 1;
    for (const ch of s) {
      this.put(col, y, ch, style);
      if (isWide(ch)) {
        this.put(col + 1, y, '', style);
        col += 2;
      } else col += 1;
    }
  }

  /** A box of `w` columns and three rows centred on (cx, cy). */
  box(cx: number, cy: number, w: number, double: boolean, style?: string): void {
    const [h, v, tl, tr, bl, br] = double ? ['═', '║', '╔', '╗', '╚', '╝'] : ['─', '│', '┌', '┐', '└', '┘'];
    const x0 = cx - Math.floor(w / 2);
    const x1 = x0 + w - 1;
    for (let x = x0 + 1; x < x1; x++) {
      this.put(x, cy - 1, h!, style);
      this.put(x, cy + 1, h!, style);
      this.put(x, cy, ' ', style);
    }
    this.put(x0, cy - 1, tl!, style);
    this.put(x1, cy - 1, tr!, style);
    this.put(x0, cy + 1, bl!, style);
    this.put(x1, cy + 1, br!, style);
    this.put(x0, cy, v!, style);
    this.put(x1, cy, v!, style);
  }

  /** An orthogonal polyline through `pts`, ending in an arrowhead at the last point. */
  polyline(pts: readonly (readonly [number, number])[], kind: LineKind, style?: string): void {
    const g = GLYPHS[kind];
    for (let i = 0; i + 1 < pts.length; i++) {
      const [x0, y0] = pts[i]!;
      const [x1, y1] = pts[i + 1]!;
      if (y0 === y1) for (let x = Math.min(x0, x1); x <= Math.max(x0, x1); x++) this.put(x, y0, g.h, style);
      else for (let y = Math.min(y0, y1); y <= Math.max(y0, y1); y++) this.put(x0, y, g.v, style);
    }
    for (let i = 1; i + 1 < pts.length; i++) {
      const [px, py] = pts[i - 1]!;
      const [x, y] = pts[i]!;
      const [nx, ny] = pts[i + 1]!;
      // The corner joins the directions towards the previous and the next point.
      const dirs = new Set([dir(x, y, px, py), dir(x, y, nx, ny)]);
      const idx = dirs.has('down') ? (dirs.has('right') ? 0 : 1) : dirs.has('right') ? 2 : 3;
      this.put(x, y, g.corners[idx]!, style);
    }
    const [ex, ey] = pts[pts.length - 1]!;
    const [fx, fy] = pts[pts.length - 2]!;
    const arrow = ex > fx ? '▶' : ex < fx ? '◀' : ey > fy ? '▼' : '▲';
    this.put(ex, ey, arrow, style);
  }

  /** The grid as lines, each run of a style passed through `paint`. */
  render(paint: (style: string | undefined, text: string) => string): string {
    const lines: string[] = [];
    for (let y = 0; y < this.height; y++) {
      let line = '';
      let run = '';
      let cur: string | undefined;
      for (let x = 0; x < this.width; x++) {
        const st = this.styles[y]![x];
        if (st !== cur) {
          line += run ? paint(cur, run) : '';
          run = '';
          cur = st;
        }
        run += this.cells[y]![x];
      }
      line += run ? paint(cur, run) : '';
      lines.push(line.trimEnd());
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return `${lines.join('\n')}\n`;
  }
}

function dir(x: number, y: number, tx: number, ty: number): 'up' | 'down' | 'left' | 'right' {
  if (ty > y) return 'down';
  if (ty < y) return 'up';
  return tx > x ? 'right' : 'left';
}
