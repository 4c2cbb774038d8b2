/**
 * Errors users see: one line, with a code that says what kind of trouble it is. The CLI prints the
 * message and exits 2; anything that is not a TcpscopeError is a bug and gets its stack trace.
 */

export type ErrorCode = 'EUSAGE' | 'EPERM' | 'EPARSE' | 'EENV';

export class TcpscopeError extends Error {
  override readonly name: string = 'TcpscopeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad flags or arguments. */
export class UsageError extends TcpscopeError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EUSAGE', message, options);
  }
}

/** Something needs privileges the process does not have. */
export class PermissionError extends TcpscopeError {
  override readonly name = 'PermissionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EPERM', message, options);
  }
}

/** Input that cannot be read at all (a bad record is counted and skipped instead). */
export class ParseError extends TcpscopeError {
  override readonly name = 'ParseError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EPARSE', message, options);
  }
}

/** The machine lacks something: a file, a tool, a kernel feature. */
export class EnvironmentError extends TcpscopeError {
  override readonly name = 'EnvironmentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('EENV', message, options);
  }
}

/** Errors of other modules that carry one of our codes (the pure `tcp/` folder cannot import this file). */
export function isUserError(e: unknown): e is Error & { code: ErrorCode } {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && USER_CODES.has(code);
}

const USER_CODES = new Set<string>(['EUSAGE', 'EPERM', 'EPARSE', 'EENV']);

/** A file the user named that cannot be read or written, as one line (no advice about capabilities). */
export function fromFileErrno(e: unknown, path: string): TcpscopeError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM')
    return new PermissionError(`${path}: permission denied`, { cause: e });
  if (code === 'EISDIR') return new EnvironmentError(`${path}: is a directory`, { cause: e });
  return fromErrno(e, path);
}

/** A system call's failure as one line of advice. */
export function fromErrno(e: unknown, what: string): TcpscopeError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new PermissionError(
        `${what}: permission denied (run as root, or with CAP_SYS_ADMIN/CAP_NET_ADMIN)`,
        {
          cause: e,
        },
      );
    case 'ENOENT':
      return new EnvironmentError(`${what}: not found`, { cause: e });
    default:
      return new EnvironmentError(`${what}: ${(e as Error | undefined)?.message ?? String(e)}`, { cause: e });
  }
}
