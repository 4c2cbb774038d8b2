/**
 * `tcpscope pcap FILE`: the connections of a capture with both ends' states rebuilt from the
 * segments (the flow tracker over the capture readers): one row a connection, the states at any
 * moment (`--at`, netstat at time T), counts by state, port or peer, and the ladder of one connection.
 */
import type { CaptureStats } from '../../capture/index.js';
import { UsageError } from '../../errors.js';
import { type Conn, FlowTracker } from '../../flow/index.js';
import { connJson, isoTime, isSocket, parseMoment } from '../../flow/report.js';
import { ConnJsonWriter } from '../../render/conn-json-bytes.js';
import { type Column, renderTable, TableStream } from '../../render/table.js';
import { TCP_STATES } from '../../tcp/states.js';
import { endOnInterrupt, progressMeter } from '../file-progress.js';
import type { Cli } from '../output.js';
import { stateColour } from '../paint-state.js';
import { type FilterFlags, filterSpec, parseIntFlag } from '../socket-options.js';
import { renderStateCounts } from '../state-counts.js';
import { ladderFormat, writeLadder } from './_ladder.js';
import { BY, type By, ByCounts, type ByRow, type StateCounts } from './pcap-by.js';
import { LIST_COLUMNS, type Listed, listCells, type Row, selectOne, type WorkerMode } from './pcap-share.js';

interface Flags extends FilterFlags {
  at?: string;
  timeline?: string;
  by?: string;
  top: string;
  format: string;
  output?: string;
  theme: string;
  json?: boolean;
  maxFlows: string;
  threads: string;
  why: boolean;
  header: boolean;
}

/**
 * Runs `pcap FILE`. Connections are handled as the tracker finishes them (replaced on their 4-tuple,
 * evicted, or at the end of the capture): the listing is written as it goes, and the counts keep
 * only counts, so memory is the open flows' whatever the size of the capture.
 */
export async function run(cli: Cli, flags: Flags, file: string): Promise<void> {
  const spec = filterSpec(flags);
  const maxFlows = parseIntFlag('--max-flows', flags.maxFlows, 1, 100_000_000);
  const top = parseIntFlag('--top', flags.top, 1, 1_000_000);
  const timeline =
    flags.timeline === undefined
      ? undefined
      : parseIntFlag('--timeline', flags.timeline.replace(/^#/, ''), 1, 2 ** 31);
  if (timeline !== undefined) ladderFormat(flags);
  const by = flags.by === undefined ? undefined : parseBy(flags.by);
  if (flags.at !== undefined && parseMoment(flags.at, 0) === undefined)
    throw new UsageError(
      `--at '${flags.at}': give an ISO 8601 time (2026-12-04T12:00:03.250Z), a time of day (12:00:03) or an offset (+12.5s)`,
    );
  let firstUs: number | undefined;
  let atUs: number | undefined;
  let recorded: Conn | undefined;
  let total = 0;
  const sink =
    timeline !== undefined
      ? undefined
      : by !== undefined
        ? new ByCounts(by)
        : flags.at !== undefined
          ? new AtRows()
          : flags.json
            ? new JsonList(cli)
            : new ConnTable(cli, flags.header);
  const tracker = new FlowTracker({
    maxFlows,
    onConn: (c) => {
      total++;
      if (timeline !== undefined) {
        if (c.n === timeline) recorded = c;
        return;
      }
      const row = selectOne(c, spec, atUs);
      if (row) sink!.add(row);
    },
    ...(timeline === undefined ? {} : { record: (n: number) => n === timeline }),
  });
  const interrupt = endOnInterrupt(cli, file);
  const { readInParts, threadsFor, workerProgram } = await import('./pcap-parallel.js');
  const asked = threadsFor(flags.threads, file);
  // A ladder is recorded by the one tracker that sees its connection's number: one thread.
  const threads = timeline === undefined ? asked : 1;
  const program = threads > 1 ? workerProgram() : undefined;
  const progress = progressMeter(cli, file, program !== undefined);
  if (threads > 1 && program === undefined && flags.threads !== 'auto')
    cli.o.note('--threads: the worker program (pcap-worker.cjs beside the CLI) is missing: one thread');
  let stats: CaptureStats;
  let evicted = 0;
  let lastUs = Number.NaN;
  if (program !== undefined) {
    if (flags.at !== undefined) {
      firstUs = await firstPacketTime(file);
      if (firstUs !== undefined) atUs = parseMoment(flags.at, firstUs);
    }
    const mode: WorkerMode =
      sink instanceof ByCounts
        ? 'by'
        : sink instanceof JsonList
          ? 'json'
          : sink instanceof ConnTable
            ? 'cells'
            : 'conns';
    const read = await readInParts(program, {
      file,
      parts: threads,
      maxFlows,
      mode,
      ...(by === undefined ? {} : { by }),
      ...(atUs === undefined ? {} : { atUs }),
      filters: filterFlagsOf(flags),
      onJson: (n, tail) => (sink as JsonList).addNumbered(n, tail),
      onCells: (n, cells) => (sink as ConnTable).addListed({ n, cells }),
      onConn: (c) => {
        const row = selectOne(c, spec, atUs);
        if (row) sink!.add(row);
      },
      onGroups: (groups) => (sink as ByCounts).merge(groups),
      ...(progress ? { onOffset: progress } : {}),
    });
    stats = read.stats;
    evicted = read.evicted;
    lastUs = read.lastUs;
  } else {
    const { readCaptureFile } = await import('../../capture/index.js');
    stats = await readCaptureFile(
      file,
      (p) => {
        if (firstUs === undefined) {
          firstUs = p.timeUs;
          if (flags.at !== undefined) atUs = parseMoment(flags.at, firstUs);
        }
        if (!(p.timeUs <= lastUs)) lastUs = p.timeUs;
        tracker.push(p);
        progress?.(p.offset);
      },
      { reuse: true, ...(interrupt.signal ? { signal: interrupt.signal } : {}) },
    );
    interrupt.off();
    tracker.finish();
    evicted = tracker.stats.evicted;
  }
  progress?.(-1);
  reportSkipped(cli, file, stats, evicted);
  if (atUs !== undefined && firstUs !== undefined) {
    // netstat at a moment the capture did not see: say so, the states are what it knew.
    if (atUs < firstUs)
      cli.o.note(
        `--at ${isoTime(atUs)} is before the capture's first packet (${isoTime(firstUs)}): no connection yet`,
      );
    else if (atUs > lastUs)
      cli.o.note(
        `--at ${isoTime(atUs)} is after the capture's last packet (${isoTime(lastUs)}): each end as the capture left it`,
      );
  }

  if (timeline !== undefined) {
    if (!recorded?.trace)
      throw new UsageError(`--timeline: no connection ${timeline} (the capture has ${total})`);
    await writeLadder(cli, recorded.trace, flags);
    return;
  }
  if (sink instanceof ByCounts) {
    const result = sink.result(top);
    if (flags.json) cli.o.out(`${JSON.stringify(result)}\n`);
    else cli.o.out(renderCrossTab(cli, result, flags.header));
    return;
  }
  if (sink instanceof AtRows) {
    const rows = sink.rows.sort((a, b) => a.c.n - b.c.n);
    const counts = countStates(rows);
    if (flags.json) {
      const time = atUs === undefined ? undefined : isoTime(atUs);
      const connections = rows.map((r) => ({ ...connJson(r.c), at: r.states }));
      cli.o.out(`${JSON.stringify({ ...(time ? { time } : {}), ...counts, connections })}\n`);
      return;
    }
    cli.o.out(renderStateCounts(cli, counts.states, counts.total, flags.header));
    if (rows.length > 0) cli.o.out(`\n${renderConns(cli, rows, flags.header)}`);
    return;
  }
  if (sink instanceof JsonList) {
    const rest = {
      skipped: { ...stats.skipped, problems: stats.problems },
      packets: stats.packets,
      evicted,
    };
    sink.end(`${JSON.stringify(rest).slice(1)}`);
    return;
  }
  (sink as ConnTable).end();
}

/** Where the connections go as they are finished. */
interface Sink {
  add(r: Row): void;
}

/** `--json`: the contract's document, written as bytes in chunks as the connections come. */
class JsonList implements Sink {
  private n = 0;
  private readonly w: ConnJsonWriter;
  constructor(cli: Cli) {
    const o = cli.o;
    this.w = new ConnJsonWriter((b) => (o.outBytes ? o.outBytes(b) : o.out(Buffer.from(b).toString('utf8'))));
    this.w.text('{"connections":[');
  }
  add(r: Row): void {
    if (this.n++ > 0) this.w.bytes(COMMA);
    this.w.conn(r.c);
  }
  /** A worker's connection: its number, and its JSON without the opening `{"id":N`. */
  addNumbered(n: number, tail: Uint8Array): void {
    if (this.n++ > 0) this.w.bytes(COMMA);
    this.w.numbered(n, tail);
  }
  /** `tail`: the document's other members, as JSON without the opening brace. */
  end(tail = '}'): void {
    this.w.text(`],${tail}\n`);
    this.w.flush();
  }
}

const COMMA = new Uint8Array([0x2c]);

/** The default listing: a table written as the connections come. */
class ConnTable implements Sink {
  private readonly table: TableStream<Listed>;
  constructor(cli: Cli, header: boolean) {
    this.table = new TableStream(connColumns(cli), (text) => cli.o.out(text), { header });
  }
  add(r: Row): void {
    this.table.push({ n: r.c.n, cells: listCells(r) });
  }
  /** A worker's connection, its cells made there. */
  addListed(l: Listed): void {
    this.table.push(l);
  }
  end(): void {
    this.table.end();
  }
}

/** `--at` without `--by`: the connections that exist then (no more than were open at once). */
class AtRows implements Sink {
  readonly rows: Row[] = [];
  add(r: Row): void {
    this.rows.push(r);
  }
}

/** Ends that are sockets (neither gone nor a listener), per state: `count --json`'s shape. */
function countStates(rows: readonly Row[]): { total: number; states: StateCounts } {
  const n: StateCounts = {};
  let total = 0;
  for (const r of rows)
    for (const s of [r.states.client, r.states.server]) {
      if (!isSocket(s)) continue;
      n[s] = (n[s] ?? 0) + 1;
      total++;
    }
  const states: StateCounts = {};
  for (const s of TCP_STATES) if (n[s]) states[s] = n[s];
  return { total, states };
}

function renderCrossTab(cli: Cli, r: { by: string; rows: ByRow[] }, header: boolean): string {
  const present = TCP_STATES.filter((st) => r.rows.some((row) => row.states[st]));
  const cols: Column<ByRow>[] = [
    { header: r.by.toUpperCase(), get: (row) => row.key },
    { header: 'TOTAL', get: (row) => String(row.total), align: 'right' },
    ...present.map(
      (st): Column<ByRow> => ({
        header: st,
        get: (row) => String(row.states[st] ?? 0),
        align: 'right',
        paint: (p, v) => (v === '0' ? p : stateColour(cli.o, st, p)),
      }),
    ),
  ];
  return renderTable(r.rows, cols, { header });
}

function renderConns(cli: Cli, rows: readonly Row[], header: boolean): string {
  return renderTable(
    rows.map((r) => ({ n: r.c.n, cells: listCells(r) })),
    connColumns(cli),
    { header },
  );
}

/** The listing's columns. */
function connColumns(cli: Cli): Column<Listed>[] {
  return [
    { header: 'ID', get: (r) => String(r.n), align: 'right' },
    ...LIST_COLUMNS.map(
      (col, i): Column<Listed> => ({
        header: col.header,
        get: (r) => r.cells[i]!,
        ...(col.right ? { align: 'right' as const } : {}),
        ...(col.state ? { paint: (p: string, v: string) => stateColour(cli.o, v, p) } : {}),
      }),
    ),
  ];
}

function reportSkipped(cli: Cli, file: string, stats: CaptureStats, evicted: number): void {
  const skipped = Object.entries(stats.skipped).filter(
    ([k, v]) => v > 0 && k !== 'notTcp' && k !== 'notIp' && k !== 'otherBlocks',
  );
  if (skipped.length > 0) {
    const where = stats.problems.slice(0, 3).map((p) => `${p.reason} at offset ${p.offset}`);
    cli.o.note(
      `${file === '-' ? 'stdin' : file}: skipped ${skipped.map(([k, v]) => `${v} ${k}`).join(', ')}${where.length ? ` (${where.join('; ')})` : ''}`,
    );
  }
  if (evicted > 0) cli.o.note(`${evicted} open flow(s) closed off to stay within --max-flows`);
}

function parseBy(text: string): By {
  const k = text.toLowerCase();
  if (!(BY as readonly string[]).includes(k))
    throw new UsageError(`--by: unknown key '${text}': valid are ${BY.join(', ')}`);
  return k as By;
}

/** The filter flags alone, as a worker thread takes them (the flags object carries commander's own). */
function filterFlagsOf(flags: Flags): FilterFlags {
  const { state, port, sport, dport, src, dst, pid, process, ipv4, ipv6, listening } = flags;
  return JSON.parse(
    JSON.stringify({ state, port, sport, dport, src, dst, pid, process, ipv4, ipv6, listening }),
  );
}

/** The first packet's time, for `--at` before the threads read the file. */
async function firstPacketTime(file: string): Promise<number | undefined> {
  const { readCaptureFile } = await import('../../capture/index.js');
  const stop = new AbortController();
  let first: number | undefined;
  await readCaptureFile(
    file,
    (p) => {
      first ??= p.timeUs;
      stop.abort();
    },
    { signal: stop.signal },
  );
  return first;
}
