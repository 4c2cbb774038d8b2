/**
 * Pure. The times and durations `record` and `report` accept: durations as `7d`, `12h`, `30m`,
 * `45s`, `2w` (`--retain`, `--duration`), and moments as ISO 8601, a time of day `HH:MM[:SS]`
 * (today, or yesterday when that is still to come), `-1h`/`-30m` before now, or `now`. The clock is
 * the caller's: `now` is passed in.
 */
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * A duration in milliseconds. `bare` is the unit of a number typed without one (`--duration 30` is
 * seconds); without `bare` a unit is required.
 */
export function parseDuration(flag: string, text: string, bare?: keyof typeof UNIT_MS): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])?$/.exec(text.trim().toLowerCase());
  const unit = m?.[2] ?? bare;
  if (!m || unit === undefined)
    throw new UsageError(`${flag}: '${text}' is not a duration (a number and a unit: 45s, 30m, 12h, 7d, 2w)`);
  const ms = Number(m[1]) * UNIT_MS[unit]!;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag}: '${text}' must be longer than zero`);
  return Math.round(ms);
}

/** A duration as people say it: `7d`, `36h`, `90m`, `45s` (the largest unit it is a whole number of). */
export function formatDuration(ms: number): string {
  for (const u of ['w', 'd', 'h', 'm'] as const)
    if (ms >= UNIT_MS[u]! && ms % UNIT_MS[u]! === 0) return `${ms / UNIT_MS[u]!}${u}`;
  return `${Math.round(ms / 1000)}s`;
}

/**
 * A moment in milliseconds since the epoch. `HH:MM` is local time today, or yesterday when today's
 * is later than `now` (as `sar -s` reads the day's file); an ISO date without a zone is local time.
 */
export function parseMoment(flag: string, text: string, now: Date): number {
  const t = text.trim();
  if (t === 'now') return now.getTime();
  const rel = /^-(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(t.toLowerCase());
  if (rel) return now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  const tod = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (tod) {
    const [h, mi, s] = [Number(tod[1]), Number(tod[2]), Number(tod[3] ?? 0)];
    if (h > 23 || mi > 59 || s > 59) throw new UsageError(`${flag}: '${text}' is not a time of day`);
    const d = new Date(now.getTime());
    d.setHours(h, mi, s, 0);
    if (d.getTime() > now.getTime()) d.setDate(d.getDate() - 1);
    return d.getTime();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    // Date.parse reads a bare date as UTC; a date is a day on this machine's calendar.
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00` : t.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(
    `${flag}: '${text}' is not a time (ISO 8601 like 2026-03-01T03:00, a time of day like 03:00, or -1h, -30m)`,
  );
}
