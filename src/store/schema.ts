/**
 * Pure data. The history file's schema as a list of migrations: migration i takes the file from
 * `PRAGMA user_version` i to i + 1, in one transaction. A file newer than this program knows is
 * refused rather than guessed at. Times are milliseconds since the epoch; counts of a sample are
 * stored only when not zero (a missing row is a zero).
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
  -- Sockets per state: kind 'all' (key ''), 'port' (the local port) or 'process' (command[pid]).
  CREATE TABLE counts (
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (time, kind, key, state)
  ) WITHOUT ROWID;
  CREATE INDEX counts_by_key ON counts (kind, key, time);
  -- Counter rates per second since the previous reading, under sar's column names.
  CREATE TABLE rates (
    time INTEGER NOT NULL,
    counter TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (time, counter)
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
  -- Rollups of counts (kinds as above) and rates (kind 'rate', key the counter, state '') by step.
  CREATE TABLE rollups (
    step INTEGER NOT NULL,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    sum REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    last REAL NOT NULL,
    PRIMARY KEY (step, time, kind, key, state)
  ) WITHOUT ROWID;
  CREATE INDEX rollups_by_key ON rollups (step, kind, key, time);
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
