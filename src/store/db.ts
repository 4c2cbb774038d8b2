/**
 * The history file: better-sqlite3, loaded here only, when a history is opened (no other command
 * loads it, and it is built for the Node.js that installed it). WAL with `synchronous=NORMAL`: a
 * reading is one transaction, so a `kill -9` loses at most the reading in flight and never leaves a
 * half-written one; a power cut may lose the last readings but not the file. Every failure SQLite
 * reports (locked, read-only, disk full, not a database) becomes one line for the user.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { EnvironmentError, fromErrno, PermissionError, type TcpscopeError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = BetterSqlite3.Database;

export interface OpenDbOptions {
  /** Read only: the file must exist and is never written or migrated. */
  readonly?: boolean;
}

/** Opens (creating it and its directory when writing) and migrates a history file. */
export async function openDb(file: string, opts: OpenDbOptions = {}): Promise<Db> {
  const Database = await loadDriver();
  if (opts.readonly && !existsSync(file))
    throw new EnvironmentError(
      `${file}: no history there (tcpscope record writes one; --db FILE names another)`,
    );
  if (!opts.readonly) {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw fromErrno(e, `cannot make the directory of ${file}`);
    }
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: opts.readonly === true, fileMustExist: opts.readonly === true });
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    migrate(db, file, opts.readonly === true);
    return db;
  } catch (e) {
    try {
      db?.close();
    } catch {}
    throw storeError(e, file);
  }
}

async function loadDriver(): Promise<typeof BetterSqlite3> {
  try {
    return (await import('better-sqlite3')).default;
  } catch (e) {
    const first = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new EnvironmentError(
      `the history needs better-sqlite3, which cannot be loaded here (${first}); run npm rebuild better-sqlite3`,
      { cause: e },
    );
  }
}

function migrate(db: Db, file: string, readonly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION)
    throw new EnvironmentError(
      `${file}: written by a newer tcpscope (schema ${version}; this one knows ${SCHEMA_VERSION})`,
    );
  if (version === SCHEMA_VERSION) return;
  if (readonly) {
    if (version === 0) throw new EnvironmentError(`${file}: not a tcpscope history`);
    throw new EnvironmentError(
      `${file}: written by an older tcpscope (schema ${version}); tcpscope record --db ${file} upgrades it`,
    );
  }
  if (version === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    if (tables.n > 0) throw new EnvironmentError(`${file}: a database, but not a tcpscope history`);
  }
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** SQLite's (or the file system's) failure as one line naming the file. */
export function storeError(e: unknown, file: string): TcpscopeError {
  if (e instanceof Error && 'code' in e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    if (['EUSAGE', 'EPERM', 'EPARSE', 'EENV'].includes(e.code)) return e as TcpscopeError;
    return fromErrno(e, file);
  }
  const code = String((e as { code?: unknown } | undefined)?.code ?? '');
  const message = (e as Error | undefined)?.message ?? String(e);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new EnvironmentError(`${file}: locked by another process for more than 5 s`, { cause: e });
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH')
    return new PermissionError(
      `${file}: read-only (the file or its directory cannot be written; --db another file)`,
      {
        cause: e,
      },
    );
  if (code.startsWith('SQLITE_CANTOPEN'))
    return new PermissionError(
      `${file}: cannot be opened (a missing or read-only directory? --db another file)`,
      {
        cause: e,
      },
    );
  // The shared-memory index that WAL needs could not grow: the same full disk, met at opening.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE')
    return new EnvironmentError(
      `${file}: the disk is full (the reading in flight was not written; the file is intact)`,
      {
        cause: e,
      },
    );
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new EnvironmentError(`${file}: not a tcpscope history, or damaged (${message})`, { cause: e });
  if (code.startsWith('SQLITE_IOERR'))
    return new EnvironmentError(`${file}: input/output error (${code}): a full or failing disk?`, {
      cause: e,
    });
  if (code.startsWith('SQLITE_')) return new EnvironmentError(`${file}: ${message} (${code})`, { cause: e });
  throw e;
}
