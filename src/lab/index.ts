/**
 * The lab: real TCP states made in a private network namespace, for the tests and `tcpscope lab`.
 * Needs root, iproute2 (`ip`, `ss`) and nftables (`nft`).
 */
export {
  type ApplyOptions,
  applyScenario,
  holderEntry,
  type Scenario,
  ssSockets,
  waitForHeld,
} from './apply.js';
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
  loopback,
  NFT_TABLE,
  nftRuleset,
  parseHolderSpec,
  rulesFor,
} from './scenario.js';
export { decodeSockaddr, encodeSockaddr, type Family } from './sockaddr.js';
export { parseSs, type SsOwner, type SsSocket } from './ss.js';
