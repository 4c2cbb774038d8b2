/**
 * The shapes that cross folders: a socket as every source reports it, and a snapshot of a table.
 * Key names follow the JSON contract (docs/json.md): they are what `--json` prints.
 */
import type { TcpState } from './states.js';
import type { SocketMemory, TcpInfo } from './tcp-info.js';

export interface Endpoint {
  /** Bare address: dotted quad, RFC 5952 IPv6, `0.0.0.0` or `::` for a wildcard. */
  address: string;
  port: number;
}

/** The kernel's timer 0 to 4, named: 1 covers retransmission, reorder and loss probe; 4 is the zero-window probe. */
export type TimerKind = 'off' | 'retransmit' | 'keepalive' | 'timewait' | 'probe';

export interface SocketTimer {
  kind: TimerKind;
  expiresMs: number;
  retransmits: number;
}

/** A process that holds the socket's file descriptor. */
export interface Owner {
  pid: number;
  fd: number;
  command: string;
  user: string;
  cmdline?: string;
}

/** Who a socket without an owner belongs to, inferred and said so. */
export interface Attribution {
  kind: 'request' | 'queued' | 'orphan' | 'timewait';
  pid?: number;
  command?: string;
  port?: number;
}

export interface Socket {
  state: TcpState;
  family: 4 | 6;
  /** An IPv4-mapped IPv6 socket: its addresses are written as dotted quads. */
  mapped?: true;
  /** An IPv6 socket that refuses IPv4 (IPV6_V6ONLY), when the source says so (netlink). */
  v6only?: true;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  inode: number;
  uid: number;
  /** Present only when owners were looked up; `[]` when no process holds the socket. */
  owners?: Owner[];
  attribution?: Attribution;
  timer?: SocketTimer;
  /** struct tcp_info (netlink only, when asked for: `ls -i`). */
  info?: TcpInfo;
  /** The socket's memory (netlink only, when asked for: `ls -m`). */
  memory?: SocketMemory;
  /** Directions closed with shutdown(2), when the source says and any is (netlink with `-i`). */
  shutdown?: 'read' | 'write' | 'both';
  /** The namespace the socket lives in, when several are listed (`--all-netns`). */
  netns?: NetnsRef;
}

/** A network namespace: its inode, and its name under /run/netns when it has one. */
export interface NetnsRef {
  inode: number;
  name?: string;
  /** The namespace of PID 1 (or of kthreadd): the host's, or inside a container the container's own. */
  host?: true;
  /** The systemd unit of a process inside it (from /proc/PID/cgroup), when it has one. */
  unit?: string;
  /** The container of a process inside it (`docker:3f2a…`, `podman:…`, `k8s:pod…`), when any. */
  container?: string;
}

/** What could not be looked at while finding owners. */
export interface Unseen {
  processes: number;
  reason?: string;
  /** /proc is mounted with this `hidepid=`: other users' processes are not even listed. */
  hidepid?: string;
  /** With `hidepid`: sockets held by processes it hides. */
  sockets?: number;
  /** With `hidepid`: the mount's `gid=`, whose members see every process. */
  gid?: number;
}

/** Whether some owners could not be found: processes not inspected, or hidden by /proc's hidepid. */
export function ownersHidden(u: Unseen | undefined): boolean {
  return u !== undefined && (u.processes > 0 || u.hidepid !== undefined);
}

export interface Snapshot {
  time: string;
  source: 'netlink' | 'procfs' | 'capture';
  netns?: NetnsRef;
  /** With several namespaces read (`--all-netns`): every one of them; each socket names its own. */
  namespaces?: NetnsRef[];
  sockets: Socket[];
  unseen?: Unseen;
  /** Lines or records the source could not parse (counted and skipped). */
  malformed?: number;
  /**
   * The kernel flagged the dump as inconsistent (NLM_F_DUMP_INTR: the table changed while it was
   * walked), the dump taken again was too: a socket may be missing or listed twice.
   */
  interrupted?: true;
  /** One line each, for stderr: what was skipped or could not be seen. */
  warnings?: string[];
}
