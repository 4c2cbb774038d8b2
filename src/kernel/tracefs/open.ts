/**
 * `openTrace`: a private instance armed with the events asked for, read from the binary ring of
 * every CPU (`per_cpu/cpuN/trace_pipe_raw`) or, on request or when the ring cannot be read, from the
 * text pipe, as one time-ordered async iterable of typed events, ended by an AbortSignal.
 *
 * Reading: each CPU's ring is opened O_NONBLOCK and drained with synchronous reads (one page a
 * read) until EAGAIN, then the reader sleeps `pollMs` (longer, up to 250 ms, while the rings stay
 * quiet), or a few ms while events come fast: small
 * rounds keep what a round holds (decoded events, transitions, output) within V8's young
 * generation, so it dies there instead of being copied and promoted (at 100,000 events a second,
 * 50 ms rounds spent more CPU in the collector than in decoding). A blocking read would hold a libuv thread per
 * CPU that no close can wake on older kernels, and an instance cannot be removed while a read holds
 * it open. Ordering: events of one socket can land on different CPUs, so each round releases only
 * events older than the moment the round began (every CPU was drained after it); later ones wait
 * for the next round.
 */
import { constants, openSync, readFileSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ByteReader } from '../../net/byte-reader.js';
import { monoNowNs, monoToWallOffsetMs } from './cleanup.js';
import { makeDecoder, type RecordDecoder } from './decode.js';
import type { TraceEvent, TraceEventName } from './events.js';
import { kernelFilters, type TraceFilter } from './filter.js';
import { createInstance, readFormats, type TraceInstance } from './instance.js';
import { findTracefs } from './mount.js';
import { decodePage } from './ring.js';
import { type CpuBufferStats, lostOf, parseCpuStats } from './stats.js';
import { lostInLine, parseTraceLine } from './text.js';

/** What to trace, and how. */
export interface TraceOptions {
  /** Events to enable; `inet_sock_set_state` by default. */
  readonly events?: readonly TraceEventName[];
  /** Conditions applied by the kernel (and again by readers where the kernel cannot). */
  readonly filter?: TraceFilter;
  /** Ends the stream; the instance is then removed. */
  readonly signal?: AbortSignal;
  /** The instance's name part (`tcpscope-PID-PURPOSE`). */
  readonly purpose?: string;
  /** tracefs root (a mounted one is found, or /sys/kernel/tracing mounted). */
  readonly root?: string;
  /** Per-CPU buffer in KiB (4096 by default: about 50,000 state events a CPU). */
  readonly bufferKb?: number;
  /** Sleep between reads once every buffer is empty (ms, 50 by default). */
  readonly pollMs?: number;
  /** Read the text pipe instead of the binary ring (no `skaddr`). */
  readonly text?: boolean;
}

/** What a session has seen and lost so far. */
export interface TraceStats {
  readonly events: number;
  /** Events the kernel counted as lost (overrun and dropped, every CPU) plus lost pages' counts. */
  readonly lost: number;
  /** Records or pages that could not be decoded, and text lines that could not be parsed. */
  readonly bad: number;
  readonly perCpu: readonly CpuBufferStats[];
}

/** An open trace: iterate it (events) or its batches; `close` is also done when the signal aborts. */
export interface TraceSession extends AsyncIterable<TraceEvent> {
  /** The instance's directory. */
  readonly instance: string;
  readonly mode: 'raw' | 'text';
  /** Milliseconds to add to a trace-clock time in ms for wall time. */
  readonly clockOffsetMs: number;
  /** The events in time order, in the batches they were read in. */
  batches(): AsyncIterable<TraceEvent[]>;
  stats(): TraceStats;
  /** Removes the instance (also done at the end of iteration and on process exit). */
  close(): void;
}

/** Opens a trace; throws a one-line error without tracefs, without root or for a missing event. */
export async function openTrace(o: TraceOptions = {}): Promise<TraceSession> {
  const events = o.events ?? ['inet_sock_set_state'];
  const root = await findTracefs(o.root ?? process.env['TCPSCOPE_TRACEFS']);
  const formats = readFormats(root, events);
  const inst = createInstance({
    root,
    purpose: o.purpose ?? 'trace',
    events,
    formats,
    filters: kernelFilters(formats, o.filter ?? {}),
    bufferKb: o.bufferKb ?? 4096,
  });
  try {
    return new Session(inst, o, events);
  } catch (e) {
    inst.disposeSync();
    throw e;
  }
}

const EAGAIN = 'EAGAIN';
/** Pages read from one CPU before the others get their turn (about 50 state events a page). */
const PAGES_PER_TURN = 8;
/** A round with more events than this is followed by a short sleep. */
const BUSY_EVENTS = 256;
const BUSY_POLL_MS = 5;
const IDLE_POLL_MS = 250;
/** A round with fewer events than this counts as quiet. */
const QUIET_EVENTS = 64;

/** The sleep after `quiet` empty rounds in a row: `pollMs`, doubling after the second, to IDLE_POLL_MS. */
function idleWait(pollMs: number, quiet: number): number {
  return quiet <= 2 ? pollMs : Math.max(pollMs, Math.min(IDLE_POLL_MS, pollMs * 2 ** (quiet - 2)));
}
const STATS_EVERY_MS = 1000;
/** Events in time order (one comparator for the process: the sort's optimized code keeps it). */
const byTime = (a: TraceEvent, b: TraceEvent): number => a.ns - b.ns;
const MAX_BATCH = 2048;

interface CpuReader {
  readonly cpu: number;
  readonly fd: number;
}

class Session implements TraceSession {
  readonly instance: string;
  readonly mode: 'raw' | 'text';
  readonly clockOffsetMs = monoToWallOffsetMs();
  private readonly readers: CpuReader[] = [];
  private textFd = -1;
  private textRest = '';
  private readonly decoders = new Map<number, RecordDecoder>();
  private readonly page: Uint8Array;
  private readonly pageReader: ByteReader;
  private pending: TraceEvent[] = [];
  private count = 0;
  private bad = 0;
  private missed = 0;
  private perCpu: CpuBufferStats[] = [];
  private statsAt = 0;
  private closed = false;
  private readonly ctx = { ns: 0, timeMs: 0, cpu: 0 };

  constructor(
    private readonly inst: TraceInstance,
    private readonly o: TraceOptions,
    events: readonly TraceEventName[],
  ) {
    this.instance = inst.dir;
    for (const ev of events) {
      const fmt = inst.formats.get(ev);
      if (fmt) this.decoders.set(fmt.id, makeDecoder(ev, fmt));
    }
    let sub = 4;
    try {
      sub = Number(readFileSync(`${inst.dir}/buffer_subbuf_size_kb`, 'utf8').trim()) || 4;
    } catch {
      // Before 6.8 a sub-buffer is one page.
    }
    this.page = new Uint8Array(Math.max(4096, sub * 1024));
    this.pageReader = new ByteReader(this.page);
    this.mode = o.text ? 'text' : 'raw';
    const flags = constants.O_RDONLY | constants.O_NONBLOCK;
    if (this.mode === 'text') {
      this.textFd = openSync(`${inst.dir}/trace_pipe`, flags);
      inst.fds.add(this.textFd);
    } else {
      for (const cpu of inst.cpus()) {
        const fd = openSync(`${inst.dir}/per_cpu/cpu${cpu}/trace_pipe_raw`, flags);
        inst.fds.add(fd);
        this.readers.push({ cpu, fd });
      }
    }
  }

  stats(): TraceStats {
    const lost = this.perCpu.reduce((n, s) => n + lostOf(s), 0);
    return { events: this.count, lost: Math.max(lost, this.missed), bad: this.bad, perCpu: this.perCpu };
  }

  close(): void {
    if (this.closed) return;
    this.refreshStats();
    this.closed = true;
    this.inst.disposeSync();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TraceEvent> {
    for await (const batch of this.batches()) for (const e of batch) yield e;
  }

  async *batches(): AsyncIterable<TraceEvent[]> {
    const signal = this.o.signal;
    const pollMs = this.o.pollMs ?? 50;
    let quiet = 0;
    try {
      while (!this.closed && !signal?.aborted) {
        const { batch, busy } = this.mode === 'text' ? this.readText() : this.readRaw();
        if (Date.now() - this.statsAt >= STATS_EVERY_MS) this.refreshStats();
        this.count += batch.length;
        // Bounded batches keep what a consumer builds from one (strings, arrays) small.
        for (let i = 0; i < batch.length; i += MAX_BATCH)
          yield batch.length <= MAX_BATCH ? batch : batch.slice(i, i + MAX_BATCH);
        // Quiet rings (a few events a round at most) are read less and less often, up to
        // IDLE_POLL_MS: each wake-up costs about a millisecond of CPU, and the buffers hold
        // seconds of events at high rates.
        quiet =
          batch.length < QUIET_EVENTS && this.pending.length < QUIET_EVENTS ? Math.min(quiet + 1, 8) : 0;
        const wait = batch.length > BUSY_EVENTS ? Math.min(BUSY_POLL_MS, pollMs) : idleWait(pollMs, quiet);
        if (busy) await new Promise<void>((r) => setImmediate(r));
        else await sleep(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
      }
      // What is left in the buffers when the stream ends is still delivered.
      if (!this.closed) {
        const last = this.mode === 'text' ? this.readText(true).batch : this.readRaw(true).batch;
        if (last.length > 0) {
          this.count += last.length;
          yield last;
        }
      }
    } finally {
      this.close();
    }
  }

  private refreshStats(): void {
    if (this.closed) return;
    this.statsAt = Date.now();
    const out: CpuBufferStats[] = [];
    for (const cpu of this.inst.cpus()) {
      try {
        out.push(parseCpuStats(readFileSync(`${this.inst.dir}/per_cpu/cpu${cpu}/stats`, 'utf8')));
      } catch {
        // A CPU gone offline.
      }
    }
    this.perCpu = out;
  }

  /** One page into `this.page`; 0 when the buffer is empty. */
  private readPage(fd: number): number {
    try {
      return readSync(fd, this.page, 0, this.page.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === EAGAIN) return 0;
      throw e;
    }
  }

  /** Drains every CPU; returns the events older than the round's start, in time order. */
  private readRaw(all = false): { batch: TraceEvent[]; busy: boolean } {
    const start = monoNowNs();
    let watermark = all ? Number.POSITIVE_INFINITY : start;
    let busy = false;
    for (const r of this.readers) {
      let pages = 0;
      let lastNs = 0;
      for (; pages < PAGES_PER_TURN || all; pages++) {
        const n = this.readPage(r.fd);
        if (n <= 0) break;
        lastNs = this.decodeInto(r.cpu, n, lastNs);
      }
      // Not drained: this CPU's later events may be older than other CPUs' newest.
      if (pages >= PAGES_PER_TURN && !all) {
        busy = true;
        watermark = Math.min(watermark, lastNs);
      }
    }
    return { batch: this.release(watermark), busy };
  }

  private decodeInto(cpu: number, n: number, lastNs: number): number {
    const page = this.pageReader.window(0, n);
    const res = decodePage(page, this.inst.pageHeader);
    this.bad += res.errors;
    if (res.missed !== 0) this.missed += res.missed === true ? 1 : res.missed;
    let last = lastNs;
    for (const rec of res.records) {
      last = rec.ts;
      try {
        const type = rec.data.u16At(0, true);
        const dec = this.decoders.get(type);
        if (!dec) continue;
        // One context object for every record: decoders copy what they keep.
        const ctx = this.ctx;
        ctx.ns = rec.ts;
        ctx.timeMs = rec.ts / 1e6 + this.clockOffsetMs;
        ctx.cpu = cpu;
        const e = dec(rec.data, ctx);
        if (e) this.pending.push(e);
      } catch {
        this.bad++;
      }
    }
    return last;
  }

  private release(watermark: number): TraceEvent[] {
    if (this.pending.length === 0) return [];
    this.pending.sort(byTime);
    let i = 0;
    while (i < this.pending.length && this.pending[i]!.ns < watermark) i++;
    const out = i === this.pending.length ? this.pending : this.pending.slice(0, i);
    this.pending = i === this.pending.length ? [] : this.pending.slice(i);
    return out;
  }

  private readText(all = false): { batch: TraceEvent[]; busy: boolean } {
    const out: TraceEvent[] = [];
    let busy = false;
    for (let pages = 0; pages < PAGES_PER_TURN || all; pages++) {
      const n = this.readPage(this.textFd);
      if (n <= 0) break;
      busy = pages + 1 >= PAGES_PER_TURN;
      const text = this.textRest + Buffer.from(this.page.buffer, this.page.byteOffset, n).toString('latin1');
      const lines = text.split('\n');
      this.textRest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const e = parseTraceLine(line, this.clockOffsetMs);
        if (e) out.push(e);
        else {
          const lost = lostInLine(line);
          if (lost !== undefined) this.missed += lost;
          else this.bad++;
        }
      }
    }
    return { batch: out, busy };
  }
}
