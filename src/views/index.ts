/**
 * The JSON views of the commands (docs/json.md), pure functions the CLI and the servers both call:
 * `count --json`, `ls --json`, `who --json`, `doctor --json`, and `explain` as plain text.
 */
export { COUNT_KEY_OF, type CountViewOptions, countsView, countView } from './count.js';
export { type CaptureSummary, captureSeconds, doctorCaptureView, doctorView } from './doctor.js';
export { explainName, explainText } from './explain.js';
export { lsView } from './ls.js';
export { whoView } from './who.js';
