/**
 * The library: everything a command can do, callable from code.
 */

export * from './capture/index.js';
export * from './errors.js';
export * from './flow/index.js';
export * from './kernel/netlink/index.js';
export { parseProcNetTcp } from './kernel/proc-net-tcp.js';
export * from './kernel/tracefs/index.js';
export * from './lab/index.js';
export { ByteReader, ByteWriter, OutOfBounds } from './net/byte-reader.js';
export { cidrMatcher, formatIpv6, parseIp } from './net/ip.js';
export type { WirePacket } from './net/packet.js';
export {
  DIAGRAM_EDGES,
  type DiagramEdge,
  type DiagramOptions,
  diagramDot,
  diagramMermaid,
  diagramSvg,
  diagramText,
  ladderSvg,
  ladderText,
  type PathChoice,
  simulationJson,
  stateCountsFromJson,
} from './render/index.js';
export {
  builtinScenario,
  parseScript,
  SCENARIO_IDS,
  type Scenario,
  type SimResult,
  type SimStep,
  scenarioScript,
  simulate,
} from './sim/index.js';
export * from './snapshot/index.js';
export * from './stats/index.js';
export * from './tcp/index.js';
export * from './trace/index.js';
