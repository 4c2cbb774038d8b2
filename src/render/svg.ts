/**
 * Small helpers for writing SVG by hand: escaping, elements from attribute objects, and the shared
 * theme (CSS custom properties with a dark variant, so a figure reads on light and dark pages).
 */

/** Escapes text for XML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type Attrs = Readonly<Record<string, string | number | undefined>>;

/** An element: `el('rect', { x: 1 })` or `el('text', { x: 1 }, 'content')` (content is escaped; use `raw` for markup). */
export function el(tag: string, attrs: Attrs, text?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(typeof v === 'number' ? round(v) : v))}"`)
    .join('');
  return text === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${esc(text)}</${tag}>`;
}

/** A group around already-built markup. */
export function group(attrs: Attrs, children: readonly string[]): string {
  const open = el('g', attrs).slice(0, -2);
  return `${open}>${children.join('')}</g>`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Light, dark, or following the reader's system (`auto`). */
export type Theme = 'light' | 'dark' | 'auto';

const LIGHT = `--bg:#ffffff;--fg:#1f2328;--muted:#656d76;--box:#f6f8fa;--line:#57606a;--client:#0b5cad;--server:#b3261e;--other:#8c959f;--accent:#bf8700;--accent-bg:#fff8c5;--bad:#cf222e;--badge:#0969da;--badge-fg:#ffffff`;
const DARK = `--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--box:#161b22;--line:#8d96a0;--client:#58a6ff;--server:#ff7b72;--other:#6e7681;--accent:#e3b341;--accent-bg:#3b2e00;--bad:#f85149;--badge:#1f6feb;--badge-fg:#ffffff`;

/** The `<style>` of a themed figure: colours as custom properties on the root svg. */
export function themeStyle(theme: Theme, extra: string): string {
  const root =
    theme === 'dark'
      ? `svg{${DARK}}`
      : theme === 'light'
        ? `svg{${LIGHT}}`
        : `svg{${LIGHT}}@media (prefers-color-scheme: dark){svg{${DARK}}}`;
  return `<style>${root}${extra}</style>`;
}

/** The opening tag of a standalone SVG document of the given size. */
export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` role="img" aria-label="${esc(title)}" font-family="'DejaVu Sans','Noto Sans','Helvetica Neue',Arial,'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif">` +
    el('title', {}, title)
  );
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
