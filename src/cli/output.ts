/**
 * Where a command writes: text for stdout, notes for stderr, and whether colour is wanted.
 * Only the entry point builds one from `process`; tests build their own.
 */

export interface Output {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes bytes to stdout (ASCII JSON streamed in chunks); absent: the caller decodes and uses `out`. */
  readonly outBytes?: (bytes: Uint8Array) => void;
  /** Writes to stderr as it is. */
  err(text: string): void;
  /** One line of warning or progress to stderr, prefixed `tcpscope: `. */
  note(line: string): void;
  /** stdout is a terminal: colour, bars and the text diagram are welcome. */
  readonly tty: boolean;
  /** Terminal width in columns (80 when unknown). */
  readonly columns: number;
  /**
   * Asks the user a question on the terminal and returns the answer; absent when stdin is not a
   * terminal (so commands that need a confirmation refuse instead of guessing).
   */
  readonly ask?: (question: string) => Promise<string>;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** Colours text on a terminal only (and never when NO_COLOR is set: the entry point decides `tty`). */
export function paint(o: Pick<Output, 'tty'>, colour: Colour, text: string): string {
  return o.tty ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

/** What every command receives: where to write and how to set the exit code. */
export interface Cli {
  readonly o: Output;
  exit(code: number): void;
}
