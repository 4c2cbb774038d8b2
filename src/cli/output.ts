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
  /** stderr is a terminal: progress lines are welcome there (absent: it is not). */
  readonly errTty?: boolean;
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
  /** The environment (locale variables, XDG_CACHE_HOME); only the entry point reads `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) or SIGTERM instead of dying, so a long-running command can end
   * cleanly (print its summary, remove what it made). Returns the function that removes the handler.
   * Absent in tests that do not give one.
   */
  onInterrupt?(handler: () => void): () => void;
  /**
   * Runs another tcpscope command in this process with its output captured (no colour), as the
   * user would type it: `lab` shows what tcpscope sees by running `count`, `ls`, `doctor`...
   */
  invoke?(argv: readonly string[]): Promise<Invoked>;
  /** Whether this tcpscope has a command of that name. */
  hasCommand?(name: string): boolean;
}

/** What an invoked command wrote and how it exited (2 for usage and environment errors, as the CLI). */
export interface Invoked {
  code: number;
  out: string;
  err: string;
}

/** What the entry point gives commands besides output and exit. */
export type CliHost = Partial<Pick<Cli, 'env' | 'onInterrupt'>>;
