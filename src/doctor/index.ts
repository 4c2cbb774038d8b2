/** The doctor: rules over a snapshot, counter rates and sysctls, with evidence and remedies. */
export { buildConfig, DEFAULTS as DOCTOR_DEFAULTS, type DoctorConfig } from './config.js';
export { type ConnectFailure, type ConnectFailures, ConnectPairer } from './connect-events.js';
export { type Diagnosis, diagnose, type Explainer, RULES, reaches } from './diagnose.js';
export { explainRule } from './explain.js';
export { baselineOf, type GatherOptions, gather, inputFor, readBaseline } from './gather.js';
export type { Baseline, DoctorInput, Evidence, Finding, Rule, Severity } from './types.js';
export { type SnapshotWindow, windowOf } from './window.js';
