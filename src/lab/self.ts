/**
 * Facts about this process that the lab needs: its pid (unique namespace names), the Node binary
 * (the holder runs on the same Node as ours) and whether it runs as root.
 */

/** This process's id, for unique namespace names. */
export function ownPid(): number {
  return process.pid;
}

/** The running Node binary, to start the holder with the same Node as ours. */
export function nodeBinary(): string {
  return process.execPath;
}

/** Whether we run as root (effective uid 0): the lab needs it for namespaces and nftables. */
export function isRoot(): boolean {
  return process.geteuid?.() === 0;
}
