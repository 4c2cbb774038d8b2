/**
 * `doctor --json`: `{ time, windowSeconds, snapshots?, findings, skipped, unseen?, config }` from a
 * diagnosis of the live table, and `doctor --pcap FILE --json`'s `{ source: "capture", file, ... }`
 * (docs/json.md). One function each for the CLI and the servers.
 */
import type { DoctorConfig } from '../doctor/config.js';
import type { Diagnosis } from '../doctor/diagnose.js';
import type { DoctorInput } from '../doctor/types.js';

/** The `doctor --json` shape of a diagnosis over `input`, gathered over `windowSeconds` (0: one snapshot). */
export function doctorView(
  input: DoctorInput,
  d: Diagnosis,
  windowSeconds: number,
  config: DoctorConfig,
): object {
  return {
    time: input.snapshot.time,
    windowSeconds,
    ...(input.window ? { snapshots: input.window.snapshots } : {}),
    findings: d.findings,
    skipped: d.skipped,
    ...(d.unseen ? { unseen: d.unseen } : {}),
    config,
  };
}

/** What a capture's diagnosis was made from. */
export interface CaptureSummary {
  file: string;
  /** The first and last packets' times in microseconds (undefined first: no packet). */
  firstUs: number | undefined;
  lastUs: number;
  connections: number;
  segments: number;
}

/** The `doctor --pcap FILE --json` shape. */
export function doctorCaptureView(c: CaptureSummary, d: Diagnosis): object {
  return {
    source: 'capture',
    file: c.file,
    time: c.lastUs ? new Date(c.lastUs / 1000).toISOString() : null,
    windowSeconds: captureSeconds(c),
    connections: c.connections,
    segments: c.segments,
    findings: d.findings,
    skipped: d.skipped,
  };
}

/** The capture's span in seconds, from its first packet to its last. */
export function captureSeconds(c: Pick<CaptureSummary, 'firstUs' | 'lastUs'>): number {
  return c.firstUs === undefined ? 0 : (c.lastUs - c.firstUs) / 1e6;
}
