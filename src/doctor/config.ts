/**
 * The doctor's thresholds: defaults relative to the machine where a limit exists (backlogs, the
 * ephemeral port range, tcp_max_tw_buckets, tcp_max_orphans), overridable by a config file and by
 * `--set rule.key=value`. Pure.
 */

/** Every threshold, by `rule.key`. Ratios are fractions of the kernel's own limit or of the load. */
export const DEFAULTS = {
  'syn-flood.synRecvWarning': 64,
  'syn-flood.backlogRatioWarning': 0.5,
  'syn-sent-storm.warning': 10,
  'syn-sent-storm.critical': 200,
  'syn-sent-storm.scanDestinations': 10,
  'close-wait-leak.warning': 5,
  'close-wait-leak.critical': 100,
  'connect-failures.count': 10,
  'connect-failures.ratio': 0.05,
  'connect-failures.criticalPerSecond': 1000,
  'port-exhaustion.ratioWarning': 0.8,
  'port-exhaustion.ratioCritical': 0.95,
  'time-wait-pressure.bucketsRatioWarning': 0.8,
  'time-wait-pressure.info': 1000,
  'fin-wait-pileup.finWait1Warning': 10,
  'fin-wait-pileup.finWait2Warning': 100,
  'fin-wait-pileup.orphansRatioWarning': 0.5,
  'fin-wait-pileup.orphansRatioCritical': 0.9,
  'last-ack-pileup.warning': 10,
  'half-open.idleSeconds': 3600,
  'half-open.warning': 1,
  'accept-queue.ratioWarning': 0.5,
  'recv-queue.bytes': 4096,
  'send-queue.probes': 1,
  'tcp-memory.pressureRatioWarning': 1,
  'retransmits.ratioWarning': 0.02,
  'retransmits.ratioCritical': 0.1,
  'retransmits.minSegmentsPerSecond': 50,
  'resets.estabResetsPerSecond': 5,
  'resets.estabResetsRatio': 0.05,
  'resets.outRstsPerSecond': 50,
  'resets.outRstsRatio': 0.01,
} as const;

export type ThresholdKey = keyof typeof DEFAULTS;
export type DoctorConfig = Record<ThresholdKey, number>;

/**
 * Defaults, then the file's `thresholds` object, then `--set` pairs. Unknown keys and non-numbers
 * are errors naming the key (returned, not thrown: the caller turns them into one usage line).
 */
export function buildConfig(
  file: unknown,
  sets: readonly string[],
): { config: DoctorConfig; errors: string[] } {
  const config: DoctorConfig = { ...DEFAULTS };
  const errors: string[] = [];
  const apply = (key: string, value: unknown, where: string): void => {
    if (!(key in DEFAULTS)) {
      errors.push(`${where}: unknown threshold '${key}' (valid: ${Object.keys(DEFAULTS).join(', ')})`);
      return;
    }
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    if (!Number.isFinite(n) || n < 0) errors.push(`${where}: '${key}' must be a non-negative number`);
    else config[key as ThresholdKey] = n;
  };
  if (file !== undefined) {
    const t = (file as { thresholds?: unknown } | null)?.thresholds;
    if (t === undefined || typeof t !== 'object' || t === null || Array.isArray(t)) {
      errors.push('config: expected an object { "thresholds": { "rule.key": number } }');
    } else for (const [k, v] of Object.entries(t)) apply(k, v, 'config');
  }
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq < 0) errors.push(`--set: '${s}' is not rule.key=value`);
    else apply(s.slice(0, eq).trim(), s.slice(eq + 1), '--set');
  }
  return { config, errors };
}

/** The defaults, under the name the library exports. */
export { DEFAULTS as DOCTOR_DEFAULTS };
