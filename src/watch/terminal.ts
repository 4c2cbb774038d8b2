/**
 * The terminal, for `tcpscope watch`: the alternate screen, the cursor hidden, stdin in raw mode,
 * keys decoded, resizes reported; `restore()` puts everything back and is made to run on every way
 * out (q, Ctrl-C, SIGTERM, SIGHUP, an error, the process exiting). Touches `process` (stdin, stdout,
 * signals): the terminal is this process's.
 */

export type Key =
  | { kind: 'char'; ch: string }
  | { kind: 'up' | 'down' | 'enter' | 'escape' | 'backspace' | 'interrupt' | 'clear' };

/** Splits what stdin delivered into keys (escape sequences of arrows kept whole). Pure. */
export function decodeKeys(data: string): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === '\x1b') {
      const seq = data.slice(i, i + 3);
      if (seq === '\x1b[A' || seq === '\x1bOA') {
        keys.push({ kind: 'up' });
        i += 2;
      } else if (seq === '\x1b[B' || seq === '\x1bOB') {
        keys.push({ kind: 'down' });
        i += 2;
      } else if (data[i + 1] === '[' || data[i + 1] === 'O') {
        // Another sequence (right, left, function keys): skipped whole.
        let j = i + 2;
        while (j < data.length && !/[A-Za-z~]/.test(data[j]!)) j++;
        i = j;
      } else keys.push({ kind: 'escape' });
    } else if (c === '\r' || c === '\n') keys.push({ kind: 'enter' });
    else if (c === '\x7f' || c === '\b') keys.push({ kind: 'backspace' });
    else if (c === '\x03') keys.push({ kind: 'interrupt' });
    else if (c === '\x15') keys.push({ kind: 'clear' });
    else if (c >= ' ') keys.push({ kind: 'char', ch: c });
  }
  return keys;
}

export interface Terminal {
  readonly rows: number;
  readonly cols: number;
  /** Draws whole lines from the top left (each already `cols` wide). */
  draw(lines: readonly string[]): void;
  onKeys(fn: (keys: Key[]) => void): void;
  onResize(fn: () => void): void;
  /** Leaves the alternate screen, shows the cursor, ends raw mode. Safe to call twice. */
  restore(): void;
}

/** Takes the terminal over; undefined when stdin or stdout is not a terminal. */
export function openTerminal(): Terminal | undefined {
  const { stdin, stdout } = process;
  if (!stdin.isTTY || !stdout.isTTY) return undefined;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {}
    stdin.pause();
    stdout.write('\x1b[0m\x1b[?25h\x1b[?1049l');
    process.off('exit', restore);
  };
  process.on('exit', restore);
  stdout.write('\x1b[?1049h\x1b[?25l\x1b[2J');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return {
    get rows() {
      return stdout.rows || 24;
    },
    get cols() {
      return stdout.columns || 80;
    },
    draw(lines) {
      if (restored) return;
      stdout.write(`\x1b[H${lines.join('\x1b[K\r\n')}\x1b[K\x1b[J`);
    },
    onKeys(fn) {
      stdin.on('data', (d: string) => fn(decodeKeys(d)));
    },
    onResize(fn) {
      stdout.on('resize', fn);
    },
    restore,
  };
}
