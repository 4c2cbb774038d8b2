/**
 * Readings taken in the background every interval, one at a time, for the servers (the agent,
 * `serve`): the first at once, the next an interval after the last ended. A reading that fails or
 * outlives its timeout is counted and said, and the last good one stays served; while one hangs (a
 * /proc that does not answer), the next are skipped and counted rather than piled up, so memory
 * stays bounded whatever the kernel does. Health says how old the last good reading is.
 */

export interface PeriodicHealth {
  ok: boolean;
  /** Seconds since the last good reading; undefined before the first. */
  ageSeconds?: number;
  /** How long the last good reading took, in seconds. */
  lastSeconds?: number;
  samples: number;
  failures: number;
  lastError?: string;
}

export interface PeriodicOptions {
  intervalMs: number;
  /** A reading taking longer than this is abandoned and counted as failed. */
  timeoutMs: number;
  /** How long stop() waits for a reading under way (the timeout by default). */
  stopWaitMs?: number;
  read: () => Promise<void>;
  /** One line for stderr. */
  note?: (line: string) => void;
}

export interface Periodic {
  health(): PeriodicHealth;
  /** Resolves once the first reading is done (or failed). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`a reading took longer than ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function startPeriodic(o: PeriodicOptions): Periodic {
  let samples = 0;
  let failures = 0;
  let lastGood: number | undefined;
  let lastSeconds: number | undefined;
  let lastError: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The reading started last, while it has not settled (it may outlive its timeout). */
  let inFlight: Promise<void> | undefined;

  const tick = async (): Promise<void> => {
    try {
      if (inFlight) throw new Error('the previous reading has not finished yet: skipped');
      const started = performance.now();
      const mine = o.read();
      inFlight = mine;
      const clear = (): void => {
        if (inFlight === mine) inFlight = undefined;
      };
      mine.then(clear, clear);
      await withTimeout(mine, o.timeoutMs);
      samples++;
      lastGood = performance.now();
      lastSeconds = (lastGood - started) / 1000;
      lastError = undefined;
    } catch (e) {
      failures++;
      lastError = (e as Error).message;
      o.note?.(`reading failed: ${lastError}`);
    }
  };
  let running: Promise<void>;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, o.intervalMs);
    timer.unref?.();
  };
  running = tick().then(schedule);

  return {
    health() {
      const ageSeconds = lastGood === undefined ? undefined : (performance.now() - lastGood) / 1000;
      return {
        ok: ageSeconds !== undefined && ageSeconds * 1000 < o.intervalMs * 3 + o.timeoutMs,
        ...(ageSeconds !== undefined ? { ageSeconds } : {}),
        ...(lastSeconds !== undefined ? { lastSeconds } : {}),
        samples,
        failures,
        ...(lastError !== undefined ? { lastError } : {}),
      };
    },
    ready: running,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const wait = o.stopWaitMs ?? o.timeoutMs;
      await Promise.race([running.catch(() => undefined), new Promise((r) => setTimeout(r, wait).unref?.())]);
    },
  };
}
