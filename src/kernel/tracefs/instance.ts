/**
 * A private tracefs instance (`instances/tcpscope-PID-PURPOSE`): its own buffers, clock, options,
 * enabled events and filters, so several readers in one process or on one machine never disturb
 * each other or the top-level buffer. Removed on every way out; one left by a dead tcpscope is
 * removed by the next.
 * @see Documentation/trace/ftrace.rst ("Instances"), Documentation/trace/events.rst (filters)
 */
import { closeSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { EnvironmentError, fromErrno, PermissionError } from '../../errors.js';
import { ownPid, pidAlive, type SyncDisposable, trackInstance, untrackInstance } from './cleanup.js';
import { TRACE_EVENTS, type TraceEventName } from './events.js';
import {
  DEFAULT_PAGE_HEADER,
  type EventFormat,
  type PageHeaderFormat,
  parseEventFormat,
  parseHeaderPage,
} from './format.js';

const PREFIX = 'tcpscope-';

/** What an instance is made with. */
export interface InstanceOptions {
  readonly root: string;
  /** The use, in the name: `trace`, `doctor`, `life`... (letters, digits, dashes). */
  readonly purpose: string;
  readonly events: readonly TraceEventName[];
  /** Filter expression per event (tracefs's language: numbers, `==`, `&&`, `||`). */
  readonly filters?: Partial<Record<TraceEventName, string>>;
  /** Per-CPU buffer size in KiB. */
  readonly bufferKb?: number;
  /** The events' layouts when already read (`readFormats`). */
  readonly formats?: ReadonlyMap<TraceEventName, EventFormat>;
}

/** The `format` of each event, from the top-level events/ tree (instances share the layouts). */
export function readFormats(
  root: string,
  events: readonly TraceEventName[],
): Map<TraceEventName, EventFormat> {
  const out = new Map<TraceEventName, EventFormat>();
  for (const ev of events) {
    let text: string;
    try {
      text = readFileSync(`${root}/events/${TRACE_EVENTS[ev]}/format`, 'utf8');
    } catch (e) {
      throw new EnvironmentError(`tracefs: this kernel has no event ${TRACE_EVENTS[ev]}`, { cause: e });
    }
    out.set(ev, parseEventFormat(TRACE_EVENTS[ev].split('/')[0]!, text));
  }
  return out;
}

/** An open instance. `fds` are closed by `remove` before the directory goes. */
export class TraceInstance implements SyncDisposable {
  readonly fds = new Set<number>();
  private removed = false;
  constructor(
    readonly root: string,
    readonly name: string,
    readonly formats: ReadonlyMap<TraceEventName, EventFormat>,
    readonly pageHeader: PageHeaderFormat,
  ) {}

  get dir(): string {
    return `${this.root}/instances/${this.name}`;
  }

  /** CPU numbers with a buffer in this instance. */
  cpus(): number[] {
    return readdirSync(`${this.dir}/per_cpu`)
      .map((d) => /^cpu(\d+)$/.exec(d)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Stops the events, closes the readers and removes the directory; safe to call twice. */
  disposeSync(): void {
    if (this.removed) return;
    this.removed = true;
    untrackInstance(this);
    for (const fd of this.fds) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
    this.fds.clear();
    try {
      writeFileSync(`${this.dir}/tracing_on`, '0');
    } catch {
      // Gone already, or never there.
    }
    removeDir(this.dir);
  }
}

/** rmdir of an instance: EBUSY while a file of it is open; retried briefly, then reported. */
function removeDir(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= 50) throw fromErrno(e, `tracefs: removing ${dir}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Instance names of tcpscope processes that no longer run. Pure but for the `alive` test. */
export function staleInstances(names: readonly string[], alive: (pid: number) => boolean): string[] {
  return names.filter((n) => {
    const m = /^tcpscope-(\d+)-/.exec(n);
    return m !== null && !alive(Number(m[1]));
  });
}

/** Removes instances left by tcpscope processes that died without cleaning up; returns their names. */
export function removeStaleInstances(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(`${root}/instances`);
  } catch {
    return [];
  }
  const stale = staleInstances(names, pidAlive);
  for (const n of stale) {
    try {
      removeDir(`${root}/instances/${n}`);
    } catch {
      // Someone else's business now: the next start tries again.
    }
  }
  return stale;
}

function write(path: string, value: string, what: string): void {
  try {
    writeFileSync(path, value);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EINVAL') throw new EnvironmentError(`tracefs: ${what}: the kernel refused '${value}'`);
    throw fromErrno(e, `tracefs: ${what}`);
  }
}

/** Makes, configures and arms an instance. Throws a one-line error (and leaves nothing) on failure. */
export function createInstance(o: InstanceOptions): TraceInstance {
  removeStaleInstances(o.root);
  const base = `${PREFIX}${ownPid()}-${o.purpose.replace(/[^A-Za-z0-9-]/g, '-')}`;
  let name = base;
  for (let n = 2; ; n++) {
    try {
      mkdirSync(`${o.root}/instances/${name}`);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && n < 100) {
        name = `${base}-${n}`;
        continue;
      }
      if (code === 'EACCES' || code === 'EPERM')
        throw new PermissionError(
          'tracefs: permission denied making a trace instance (run as root: tracing needs CAP_SYS_ADMIN; or use --sampled)',
          { cause: e },
        );
      throw fromErrno(e, `tracefs: making ${o.root}/instances/${name}`);
    }
  }
  const dir = `${o.root}/instances/${name}`;
  let inst: TraceInstance | undefined;
  try {
    const formats = o.formats ?? readFormats(o.root, o.events);
    let header = DEFAULT_PAGE_HEADER;
    try {
      header = parseHeaderPage(readFileSync(`${o.root}/events/header_page`, 'utf8'));
    } catch {
      // Older layouts without the file: the 64-bit default.
    }
    inst = new TraceInstance(o.root, name, formats, header);
    trackInstance(inst);
    // `mono` is CLOCK_MONOTONIC, which Node reads too: times map to wall time with one offset.
    write(`${dir}/trace_clock`, 'mono', 'trace_clock');
    if (o.bufferKb !== undefined) write(`${dir}/buffer_size_kb`, String(o.bufferKb), 'buffer_size_kb');
    // Full buffer: drop new events and count them ("dropped events"), rather than overwrite old ones.
    write(`${dir}/options/overwrite`, '0', 'options/overwrite');
    try {
      writeFileSync(`${dir}/options/record-tgid`, '1');
    } catch {
      // Kernels before 4.14: pids are resolved through /proc only.
    }
    for (const ev of o.events) {
      const path = `${dir}/events/${TRACE_EVENTS[ev]}`;
      const f = o.filters?.[ev];
      if (f !== undefined && f !== '') write(`${path}/filter`, f, `filter of ${TRACE_EVENTS[ev]}`);
      write(`${path}/enable`, '1', `enabling ${TRACE_EVENTS[ev]}`);
    }
    return inst;
  } catch (e) {
    if (inst) inst.disposeSync();
    else removeDir(dir);
    throw e;
  }
}
