/**
 * The program of one `pcap` (or `doctor --pcap`) worker thread (bundled apart, as
 * dist/pcap-worker.cjs): it reads the whole capture, tracks the flows of its share (by a hash of the
 * 4-tuple, the same both ways) and sends what the command shows of its finished connections to the
 * main thread in batches (their JSON, the table's cells, or the connections), with the connections it
 * opened and how far it has read, from which the main thread numbers connections as one tracker
 * would; counts (`--by`, the doctor's tallies) come at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCaptureFile } from '../capture/index.js';
import { CaptureConns, WireFacts } from '../doctor/capture-rules.js';
import { type Conn, FlowTracker } from '../flow/index.js';
import { ConnJsonWriter } from '../render/conn-json-bytes.js';
import { ByCounts } from './commands/pcap-by.js';
import {
  type Batch,
  CELL,
  listCells,
  type PartDone,
  ROW,
  selectOne,
  shareOf,
  type WorkerInput,
} from './commands/pcap-share.js';
import { type FilterFlags, filterSpec } from './socket-options.js';

/** Packets between two batches. */
const BATCH_PACKETS = 8192;
/** Batches sent beyond what the main thread has allowed before this worker waits. */
const AHEAD = 2;

async function main(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const spec = filterSpec(input.filters as FilterFlags);
  const mode = input.mode;
  const counts = mode === 'by' ? new ByCounts(input.by!) : undefined;
  const facts = mode === 'doctor' ? new WireFacts() : undefined;
  // The doctor's connections: those a rule may name go to the main thread, not into `kept`.
  const doctor = mode === 'doctor' ? new CaptureConns(false) : undefined;
  let ordinal = -1;
  let opens: number[] = [];
  // The batch's JSON: the writer's chunks since the batch began, and where each connection ends.
  let chunks: Uint8Array[] = [];
  const writer = new ConnJsonWriter((b) => chunks.push(b), 64 * 1024);
  let batchStart = 0;
  let ends: number[] = [];
  let cells: string[] = [];
  let ords: number[] = [];
  let dones: number[] = [];
  let conns: Conn[] = [];
  let offset = 0;
  let lastUs = Number.NaN;
  const tracker = new FlowTracker({
    maxFlows: input.maxFlows,
    number: () => {
      opens.push(ordinal);
      return ordinal;
    },
    onConn: (c) => {
      if (doctor) {
        const k = doctor.add(c);
        if (k) {
          conns.push(k);
          dones.push(ordinal);
        }
        return;
      }
      const row = selectOne(c, spec, input.atUs);
      if (!row) return;
      if (mode === 'by') {
        counts!.add(row);
      } else if (mode === 'json') {
        ords.push(c.n);
        dones.push(ordinal);
        // Without its `{"id":N`, which the main thread writes once it knows N.
        writer.conn(c, false);
        ends.push(writer.written - batchStart);
      } else if (mode === 'cells') {
        ords.push(c.n);
        dones.push(ordinal);
        cells.push(listCells(row).join(CELL));
      } else {
        conns.push(c);
        dones.push(ordinal);
      }
    },
  });
  // The main thread allows batches one by one (when it has written what came before, and this worker
  // is not far ahead of the others): a slow reader of the output, or a slow worker, holds this one.
  const allowed = new Int32Array(input.allowed);
  let sent = 0;
  const send = (): void => {
    writer.flush();
    // One buffer of its own, so that it can be handed over rather than copied.
    const json = new Uint8Array(writer.written - batchStart);
    let at = 0;
    for (const c of chunks) {
      json.set(c, at);
      at += c.length;
    }
    const lists = [opens, ords, dones, ends].map((l) => Float64Array.from(l));
    const batch: Batch = {
      opens: lists[0]!,
      progress: ordinal,
      oldest: tracker.oldestOpen,
      offset,
      ords: lists[1]!,
      dones: lists[2]!,
      json,
      ends: lists[3]!,
      cells: cells.join(ROW),
      conns,
    };
    // The chunk and the lists are the worker's no more: their memory moves to the main thread.
    port.postMessage(batch, [json.buffer, ...lists.map((l) => l.buffer)]);
    opens = [];
    sent++;
    for (;;) {
      const now = Atomics.load(allowed, input.part);
      if (sent - now <= AHEAD) break;
      Atomics.wait(allowed, input.part, now, 1000);
    }
    chunks = [];
    batchStart = writer.written;
    ends = [];
    cells = [];
    ords = [];
    dones = [];
    conns = [];
  };
  const stats = await readCaptureFile(
    input.file,
    (p) => {
      ordinal++;
      offset = p.offset;
      if (!(p.timeUs <= lastUs)) lastUs = p.timeUs;
      if (shareOf(p, input.parts) === input.part) {
        facts?.push(p);
        tracker.push(p);
      } else tracker.clock(p.timeUs);
      if ((ordinal & (BATCH_PACKETS - 1)) === BATCH_PACKETS - 1) send();
    },
    { reuse: true },
  );
  // Those still open at the end are finished after the last packet, all at once.
  ordinal++;
  tracker.finish();
  send();
  const done: PartDone = {
    done: true,
    stats,
    evicted: tracker.stats.evicted,
    lastUs,
    ...(counts ? { groups: counts.list() } : {}),
    ...(doctor
      ? { doctor: { quiet: doctor.quiet, facts: facts!.state(), fails: doctor.fails.state() } }
      : {}),
  };
  port.postMessage(done);
}

main(workerData as WorkerInput).catch((e: unknown) => {
  const err = e as Error;
  // The code too: a user's error (a file that is no capture) stays one line, exit 2, on this side.
  const code = (err as { code?: unknown } | undefined)?.code;
  parentPort!.postMessage({
    failed: true,
    name: err?.name ?? 'Error',
    message: err?.message ?? String(e),
    ...(typeof code === 'string' ? { code } : {}),
  });
});
