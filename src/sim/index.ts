/** The simulator: two ends running the state machine of src/tcp over a network that can lose, delay, duplicate and reorder. */
export { simulate } from './engine.js';
export { builtinScenario, SCENARIO_IDS, scenarioScript } from './scenarios.js';
export { parseScript } from './script.js';
export type * from './types.js';
