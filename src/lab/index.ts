/**
 * The lab: real TCP states made in a private network namespace, for the tests and `tcpscope lab`.
 * Needs root, iproute2 (`ip`, `ss`) and nftables (`nft`).
 *
 * `startLabScenario(id, { count, port, keep })` makes a scenario of `tcpscope lab` happen and returns
 * the namespace, the processes and the culprit (pid and port) the doctor should name; `stop()` removes
 * it all. `LAB_SCENARIOS` lists them with their texts, the doctor rules that should fire, and the
 * tcpscope commands that show them.
 */
export {
  type ApplyOptions,
  applyScenario,
  holderEntry,
  type Scenario,
  ssSockets,
  waitForHeld,
} from './apply.js';
export { findScenario, LAB_SCENARIOS, labSteps, planPorts } from './catalog.js';
export type { LabPlan, LabProcessPlan, LabScenario, LabStep } from './catalog-types.js';
export { liveNames as liveNetns } from './cleanup.js';
export {
  ABSENT,
  describeHeld,
  isHeld,
  missingHeld,
  type ObservedSocket,
  rowsOfItem,
  strayRows,
} from './match.js';
export { createNetns, LAB_SYSCTLS, listNetns, Netns, type NetnsOptions, withNetns } from './netns.js';
export * as rawsock from './rawsock.js';
export { SyscallError } from './rawsock.js';
export {
  everyState,
  type HeldItem,
  type HeldRole,
  type HeldSocket,
  HOLD_KINDS,
  type HolderReport,
  type HolderSpec,
  type HoldItem,
  type HoldKind,
  isSituation,
  loopback,
  NFT_TABLE,
  nftRuleset,
  parseHolderSpec,
  peerAddress,
  peerNet,
  rulesFor,
  SITUATION_KINDS,
  type SituationKind,
  STATE_KINDS,
  type StateKind,
} from './scenario.js';
export { decodeSockaddr, encodeSockaddr, type Family } from './sockaddr.js';
export { parseSs, type SsOwner, type SsSocket } from './ss.js';
export {
  type LabProcess,
  type LabRun,
  planScenario,
  requireLab,
  type StartOptions,
  startLabScenario,
} from './start.js';
export {
  downLab,
  LAB_PREFIX,
  LAB_STATE_DIR,
  type LabDown,
  type LabState,
  labNamespaces,
  labTargets,
  parseLabName,
  readLabStates,
} from './state.js';
