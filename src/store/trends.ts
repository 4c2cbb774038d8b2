/**
 * Pure. The trend rules `report` runs over a state's series: a CLOSE_WAIT count growing steadily
 * (the leak a single snapshot cannot show), TIME_WAIT peaks, SYN_RECV bursts, and listeners that
 * appeared or disappeared. Each rests on the shape of the series, never on a level a busy healthy
 * host also reaches: a flat CLOSE_WAIT of 500 is quiet, 3 rising to 40 over the hour is not.
 */

export interface Point {
  time: number;
  value: number;
}

export interface Trend {
  rule:
    | 'close-wait-growing'
    | 'time-wait-peak'
    | 'syn-recv-burst'
    | 'listener-appeared'
    | 'listener-disappeared';
  severity: 'info' | 'warning';
  state: string;
  title: string;
  /** When it happened: the range of the rise, the peak, the burst, the change of listeners. */
  from: number;
  to: number;
  /** The figures the title gives, for scripts. */
  evidence: Record<string, number>;
}

/** Points needed before a series is judged: fewer say nothing about a trend. */
export const MIN_POINTS = 6;
/** CLOSE_WAIT growing: share of steps that do not go down. */
export const STEADY_SHARE = 0.8;
/** CLOSE_WAIT growing: sockets gained over the range by the fitted line, at least. */
export const MIN_RISE = 5;

/** The least-squares slope of value over time, per millisecond. */
export function slope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const t0 = points[0]!.time;
  let st = 0;
  let sv = 0;
  for (const p of points) {
    st += p.time - t0;
    sv += p.value;
  }
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    const dt = p.time - t0 - mt;
    num += dt * (p.value - mv);
    den += dt * dt;
  }
  return den === 0 ? 0 : num / den;
}

/** The standard deviation of the values around their least-squares line: how much they wander off it. */
export function residualSd(points: readonly Point[]): number {
  const n = points.length;
  if (n < 3) return 0;
  const k = slope(points);
  const t0 = points[0]!.time;
  const mt = points.reduce((a, p) => a + p.time - t0, 0) / n;
  const mv = points.reduce((a, p) => a + p.value, 0) / n;
  let ss = 0;
  for (const p of points) {
    const r = p.value - (mv + k * (p.time - t0 - mt));
    ss += r * r;
  }
  return Math.sqrt(ss / (n - 2));
}

/** The share of steps between consecutive points that do not go down. */
export function nonDecreasingShare(points: readonly Point[]): number {
  if (points.length < 2) return 0;
  let up = 0;
  for (let i = 1; i < points.length; i++) if (points[i]!.value >= points[i - 1]!.value) up++;
  return up / (points.length - 1);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * CLOSE_WAIT growing steadily: a least-squares slope that adds at least MIN_RISE sockets (and a tenth
 * of the mean, and twice what the values wander off the line) over the range, with at least
 * STEADY_SHARE of the steps rising or flat. A program that does not close its sockets grows like
 * this; a busy server's CLOSE_WAIT comes and goes.
 */
export function closeWaitGrowing(points: readonly Point[]): Trend | undefined {
  if (points.length < MIN_POINTS) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const span = last.time - first.time;
  if (span <= 0) return undefined;
  const perMs = slope(points);
  const rise = perMs * span;
  const mean = points.reduce((a, p) => a + p.value, 0) / points.length;
  const share = nonDecreasingShare(points);
  if (rise < Math.max(MIN_RISE, mean / 10, 2 * residualSd(points)) || share < STEADY_SHARE) return undefined;
  const perHour = perMs * 3_600_000;
  return {
    rule: 'close-wait-growing',
    severity: 'warning',
    state: 'CLOSE_WAIT',
    title: `CLOSE_WAIT grew steadily from ${fmt(first.value)} to ${fmt(last.value)} (${fmt(perHour)} an hour, ${Math.round(share * 100)}% of steps up or flat): a program is not closing its sockets`,
    from: first.time,
    to: last.time,
    evidence: { first: first.value, last: last.value, perHour: round2(perHour), steadyShare: round2(share) },
  };
}

/**
 * TIME_WAIT peaks: the highest point, when it stands above both 1.5 times the median and the
 * median plus 50 (bursts of short connections, a client closing first; see `explain time-wait`).
 */
export function timeWaitPeak(points: readonly Point[]): Trend | undefined {
  if (points.length < MIN_POINTS) return undefined;
  const med = median(points.map((p) => p.value));
  let peak = points[0]!;
  for (const p of points) if (p.value > peak.value) peak = p;
  if (peak.value < Math.max(med * 1.5, med + 50)) return undefined;
  return {
    rule: 'time-wait-peak',
    severity: 'info',
    state: 'TIME_WAIT',
    title: `TIME_WAIT peaked at ${fmt(peak.value)} (the median is ${fmt(med)}): a burst of short connections closed from this side`,
    from: peak.time,
    to: peak.time,
    evidence: { peak: peak.value, median: med },
  };
}

/**
 * SYN_RECV bursts: runs of points at or above max(10, 3 times the median). Handshakes left half-way
 * in numbers: a SYN flood, or a listener too slow to answer.
 */
export function synRecvBursts(points: readonly Point[]): Trend[] {
  if (points.length === 0) return [];
  const med = median(points.map((p) => p.value));
  const threshold = Math.max(10, med * 3);
  const out: Trend[] = [];
  let run: Point[] = [];
  const close = (): void => {
    if (run.length === 0) return;
    const peak = Math.max(...run.map((p) => p.value));
    out.push({
      rule: 'syn-recv-burst',
      severity: 'warning',
      state: 'SYN_RECV',
      title: `SYN_RECV burst: up to ${fmt(peak)} half-open handshakes over ${run.length} reading(s) (usually ${fmt(med)}): a SYN flood or a slow listener (see explain syn-flood)`,
      from: run[0]!.time,
      to: run[run.length - 1]!.time,
      evidence: { peak, median: med, readings: run.length },
    });
    run = [];
  };
  for (const p of points) {
    if (p.value >= threshold) run.push(p);
    else close();
  }
  close();
  return out;
}

/**
 * Listeners that appeared or disappeared: `listening` gives the listening ports at each time, oldest
 * first. A port listening at the first time and the last is steady; one that comes later appeared,
 * one absent at the last time disappeared (and may have come back in between: the last change counts).
 */
export function listenerChanges(
  listening: ReadonlyArray<{ time: number; ports: ReadonlySet<string> }>,
): Trend[] {
  if (listening.length < 2) return [];
  const out: Trend[] = [];
  const first = listening[0]!;
  const last = listening[listening.length - 1]!;
  const all = new Set<string>();
  for (const l of listening) for (const p of l.ports) all.add(p);
  for (const port of [...all].sort((a, b) => Number(a) - Number(b))) {
    const atFirst = first.ports.has(port);
    const atLast = last.ports.has(port);
    if (atFirst && atLast) continue;
    if (atLast) {
      // The moment it started listening for the last time.
      let i = listening.length - 1;
      while (i > 0 && listening[i - 1]!.ports.has(port)) i--;
      out.push(listenerTrend('listener-appeared', port, listening[i]!.time));
    } else {
      let i = listening.length - 1;
      while (i > 0 && !listening[i - 1]!.ports.has(port)) i--;
      out.push(listenerTrend('listener-disappeared', port, listening[i]!.time));
    }
  }
  return out;
}

function listenerTrend(
  rule: 'listener-appeared' | 'listener-disappeared',
  port: string,
  time: number,
): Trend {
  return {
    rule,
    severity: 'info',
    state: 'LISTEN',
    title: `port ${port} ${rule === 'listener-appeared' ? 'started' : 'stopped'} listening`,
    from: time,
    to: time,
    evidence: { port: Number(port) },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
