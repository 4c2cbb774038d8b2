/**
 * Pure data. The history file's schema as a list of migrations: migration i takes the file from
 * `PRAGMA user_version` i to i + 1, in one transaction. A file newer than this program knows is
 * refused rather than guessed at. Times are milliseconds since the epoch; counts of a reading are
 * stored only when not zero (a missing value is a zero).
 */

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  -- One row per reading: its time, the seconds since the previous one, the sockets read.
  CREATE TABLE samples (
    time INTEGER PRIMARY KEY,
    seconds REAL,
    total INTEGER NOT NULL,
    owners INTEGER NOT NULL
  );
  -- A reading's values, one row per kind: 'all' (sockets per state), 'port' (per local port and
  -- state), 'process' (per command[pid] and state), 'rate' (counter rates per second under sar's
  -- names), packed by codec.ts: JSON [[key, state, value, ...], ...] with states by kernel number,
  -- deflated (raw DEFLATE, RFC 1951).
  CREATE TABLE readings (
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (time, kind)
  ) WITHOUT ROWID;
  -- The doctor's findings, one row per stretch of consecutive readings that had it.
  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    finding TEXT NOT NULL
  );
  CREATE INDEX findings_by_last ON findings (last);
  -- Rollups by step (60000, 3600000) and kind, packed as [[key, state, n, sum, min, max, last], ...],
  -- deflated.
  CREATE TABLE rollups (
    step INTEGER NOT NULL,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (step, time, kind)
  ) WITHOUT ROWID;
  -- How many readings each rollup bucket covers.
  CREATE TABLE rollup_spans (
    step INTEGER NOT NULL,
    time INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (step, time)
  ) WITHOUT ROWID;
  `,
];

/** The schema version this program writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
