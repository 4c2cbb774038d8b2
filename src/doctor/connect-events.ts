/**
 * connect() failures as the kernel reported them over the window (tracefs: the CLOSE→SYN_SENT and
 * SYN_SENT→CLOSE pair of a socket in its caller's context, `inet_sk_error_report`, and the return
 * of connect()), counted per process, destination and error. The shapes the rules read. Pure.
 */

/** Failed connects of one process to one destination with one error. */
export interface ConnectFailure {
  pid: number;
  command: string;
  /** The destination, as the contract writes addresses. */
  address: string;
  port: number;
  /** The error's name (`ECONNREFUSED`, `ETIMEDOUT`, `EHOSTUNREACH`, `EADDRNOTAVAIL`...). */
  error: string;
  count: number;
}

export interface ConnectFailures {
  /** Seconds traced. */
  seconds: number;
  failures: ConnectFailure[];
  /** Events the reader could not decode or pair (counted, skipped). */
  unpaired?: number;
}

/** Adds one failure to a list, merging with the same (pid, destination, error). */
export function addFailure(list: ConnectFailure[], f: Omit<ConnectFailure, 'count'>, n = 1): void {
  const same = list.find(
    (x) => x.pid === f.pid && x.address === f.address && x.port === f.port && x.error === f.error,
  );
  if (same) same.count += n;
  else list.push({ ...f, count: n });
}
