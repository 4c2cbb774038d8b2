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
  /** connect() calls that returned an error, per process and error (`sys_exit_connect`). */
  returns?: { pid: number; command: string; error: string; count: number }[];
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

/** errno numbers connect() failures carry, by name. */
const ERRNO: Record<number, string> = {
  99: 'EADDRNOTAVAIL',
  101: 'ENETUNREACH',
  104: 'ECONNRESET',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
};

/** `ECONNREFUSED` for 111 (positive or negative), `errno 42` for the rest. */
export function errnoName(n: number): string {
  return ERRNO[Math.abs(n)] ?? `errno ${Math.abs(n)}`;
}

/** The caller of a connect(): its process (thread-group) id and command. */
export interface Caller {
  pid: number;
  command: string;
}

/** What the pairer reads of the kernel's events (the tracefs source's shapes, narrowed). */
export type ConnectEvent =
  | {
      event: 'inet_sock_set_state';
      pid: number;
      skaddr: string;
      oldstate: number;
      newstate: number;
      saddr: string;
      daddr: string;
      sport: number;
      dport: number;
    }
  | {
      event: 'inet_sk_error_report';
      error: number;
      saddr: string;
      daddr: string;
      sport: number;
      dport: number;
    }
  | { event: 'sys_exit_connect'; pid: number; ret: number };

const SYN_SENT = 2;
const CLOSE = 7;
/** Connects followed at once, and closes awaiting their error report: bounded, the excess counted. */
const MAX_PENDING = 65536;

interface Attempt {
  caller: Caller;
  address: string;
  port: number;
}

/**
 * Pairs the events of failed connects (pure: events in, failures out). A connect() shows as
 * CLOSE→SYN_SENT in the caller's context (its pid; the local port not chosen yet), then on the same
 * socket (`skaddr`) SYN_SENT→ESTABLISHED or SYN_SENT→CLOSE. A close with `sport` 0 never got a local
 * port: EADDRNOTAVAIL (connect() returns -99). Any other close is followed by `inet_sk_error_report`
 * with the same 4-tuple and the error (ECONNREFUSED for an RST, ETIMEDOUT when the SYN retries ran
 * out), reported in softirq context, hence the pairing; a close without one is the program's own
 * close() and no failure. `callerOf(pid)` names the process of a thread, or undefined to drop the
 * event (another namespace, a process already gone).
 */
export class ConnectPairer {
  private readonly attempts = new Map<string, Attempt>();
  private readonly closed = new Map<string, Attempt>();
  readonly failures: ConnectFailure[] = [];
  /** connect() calls that returned an error (blocking ones, or EADDRNOTAVAIL at once): `sys_exit_connect`. */
  readonly returns: { pid: number; command: string; error: string; count: number }[] = [];
  unpaired = 0;

  constructor(private readonly callerOf: (pid: number) => Caller | undefined) {}

  add(e: ConnectEvent): void {
    if (e.event === 'inet_sock_set_state') this.state(e);
    else if (e.event === 'sys_exit_connect') {
      if (e.ret >= 0 || e.ret === -115) return; // EINPROGRESS: a non-blocking connect under way
      const caller = this.callerOf(e.pid);
      if (!caller) return;
      const error = errnoName(e.ret);
      const same = this.returns.find((r) => r.pid === caller.pid && r.error === error);
      if (same) same.count++;
      else this.returns.push({ ...caller, error, count: 1 });
    } else if (e.event === 'inet_sk_error_report') {
      const k = tuple(e.saddr, e.sport, e.daddr, e.dport);
      const a = this.closed.get(k);
      if (!a) return;
      this.closed.delete(k);
      addFailure(this.failures, { ...a.caller, address: a.address, port: a.port, error: errnoName(e.error) });
    }
  }

  private state(e: Extract<ConnectEvent, { event: 'inet_sock_set_state' }>): void {
    if (e.oldstate === CLOSE && e.newstate === SYN_SENT) {
      const caller = this.callerOf(e.pid);
      if (!caller) return;
      if (this.attempts.size >= MAX_PENDING) {
        this.unpaired++;
        return;
      }
      this.attempts.set(e.skaddr, { caller, address: e.daddr, port: e.dport });
      return;
    }
    if (e.oldstate !== SYN_SENT) return;
    const a = this.attempts.get(e.skaddr);
    if (!a) return;
    this.attempts.delete(e.skaddr);
    if (e.newstate !== CLOSE) return; // connected
    if (e.sport === 0) {
      addFailure(this.failures, { ...a.caller, address: a.address, port: a.port, error: 'EADDRNOTAVAIL' });
      return;
    }
    if (this.closed.size >= MAX_PENDING) this.closed.clear();
    this.closed.set(tuple(e.saddr, e.sport, e.daddr, e.dport), a);
  }
}

function tuple(saddr: string, sport: number, daddr: string, dport: number): string {
  return `${saddr} ${sport} ${daddr} ${dport}`;
}
