/**
 * Runs a program with an argument array (never a shell string), with optional stdin and a time
 * limit, and returns its stdout. A failure is one line: the command and the first line it wrote
 * to stderr.
 */
import { execFileSync, spawn } from 'node:child_process';
import { EnvironmentError, fromErrno } from '../errors.js';

export interface RunOptions {
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  /** Killed (SIGKILL) after this long; 10 s by default. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs `argv[0]` with the rest as arguments; resolves with stdout, rejects with one line. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new TypeError('run: empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(fromErrno(e, argv.join(' ')));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      reject(new EnvironmentError(`${describe(argv)}: ${why(code, signal, Buffer.concat(err))}`));
    });
    // A program that exits without reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** The same, synchronously: for exit handlers, where nothing asynchronous runs any more. */
export function runSync(argv: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): string {
  const [cmd, ...args] = argv;
  if (!cmd) throw new TypeError('run: empty command');
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const x = e as { status?: number | null; signal?: NodeJS.Signals | null; stderr?: string; code?: string };
    if (typeof x.code === 'string') throw fromErrno(e, argv.join(' '));
    throw new EnvironmentError(
      `${describe(argv)}: ${why(x.status ?? null, x.signal ?? null, x.stderr ?? '')}`,
    );
  }
}

function describe(argv: readonly string[]): string {
  const text = argv.join(' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function why(code: number | null, signal: NodeJS.Signals | null, stderr: Buffer | string): string {
  const line = stderr.toString().trim().split('\n')[0];
  if (signal) return `killed by ${signal}${line ? `: ${line}` : ''}`;
  return line || `exit status ${code}`;
}
