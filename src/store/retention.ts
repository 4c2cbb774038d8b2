/**
 * Pure. How long the history keeps each resolution, and which resolution answers a range.
 * `--retain R` (7 days by default): raw samples for min(R, 1 day), 1-minute rollups for min(R, 7
 * days), 1-hour rollups for R. So a week at a 10 s interval is 8,640 raw samples, 10,080 minutes and
 * 168 hours, and the file stops growing after R.
 */

/** The resolutions, finest first: raw samples, then the rollups by their step. */
export type Level = 'raw' | '1m' | '1h';
export const LEVELS: readonly Level[] = ['raw', '1m', '1h'];
export const STEP_MS: Record<Level, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000 };

const DAY = 86_400_000;
export const DEFAULT_RETAIN_MS = 7 * DAY;
/** Less than an hour leaves no hour to roll up. */
export const MIN_RETAIN_MS = 3_600_000;

/** Milliseconds each level is kept. */
export type Retention = Record<Level, number>;

/** The retention of each level under `--retain`. */
export function retentionOf(retainMs: number): Retention {
  return { raw: Math.min(retainMs, DAY), '1m': Math.min(retainMs, 7 * DAY), '1h': retainMs };
}

/** What a level holds for the range asked: its oldest time there, and how many points. */
export interface LevelExtent {
  level: Level;
  /** The oldest point at or after the range's start; undefined when the level has none in the range. */
  oldest?: number;
  /** Points in the range. */
  points: number;
}

/** Points beyond which a finer level is passed over for a coarser one that covers as much. */
export const MAX_POINTS = 3000;

/**
 * The level that answers a range: the finest that reaches back as far as any level does (within one
 * of the coarsest step) and has at most MAX_POINTS points there; else the one reaching back furthest.
 * Raw samples answer a recent hour, 1-minute rollups last week's Tuesday, hourly ones a month.
 */
export function chooseLevel(extents: readonly LevelExtent[]): Level {
  const have = extents.filter((e) => e.oldest !== undefined && e.points > 0);
  if (have.length === 0) return 'raw';
  const earliest = Math.min(...have.map((e) => e.oldest!));
  const reaching = have.filter((e) => e.oldest! - earliest <= STEP_MS['1h']);
  const fit = reaching.find((e) => e.points <= MAX_POINTS);
  if (fit) return fit.level;
  return reaching[reaching.length - 1]!.level;
}
