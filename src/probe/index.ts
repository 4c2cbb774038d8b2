/** The long-lived probe: one namespace, one sock_diag socket, one counter source, one clock. */
export { KeptSocket } from './kept-socket.js';
export {
  openProbe,
  type Probe,
  type ProbeCounts,
  type ProbeOptions,
  type ProbeReadOptions,
  type ProbeSnapshotOptions,
} from './probe.js';
