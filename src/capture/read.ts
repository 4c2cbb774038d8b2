/**
 * The capture readers' I/O: a file (or `-` for stdin) read in chunks into one fixed buffer, or any
 * Readable (tcpdump's stdout), handed to the synchronous parser. Memory stays constant however big
 * the input: the buffer, plus at most one incomplete record.
 */
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { EnvironmentError, fromFileErrno, ParseError } from '../errors.js';
import type { WirePacket } from '../net/packet.js';
import { CaptureParser } from './parser.js';
import { MAX_BLOCK } from './pcapng.js';
import type { CaptureStats } from './stats.js';

/** Read size; four times the largest record held, so a leftover never fills it. */
const BUFFER_SIZE = 4 * MAX_BLOCK;

export interface ReadOptions {
  /** Stops reading (the tally so far is returned). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes consumed so far (a progress bar). */
  onProgress?: (bytes: number) => void;
  /**
   * One packet object, filled anew for each segment: `onPacket` must not keep it. A reader that
   * keeps nothing (the flow tracker) saves an object per segment.
   */
  reuse?: boolean;
}

/**
 * Reads a capture file (`-`: standard input), calling `onPacket` for each TCP segment.
 * @throws TcpscopeError when the file cannot be opened or its header is unusable (one line, names the file)
 */
export async function readCaptureFile(
  path: string,
  onPacket: (packet: WirePacket) => void,
  opts: ReadOptions = {},
): Promise<CaptureStats> {
  const name = path === '-' ? 'stdin' : path;
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path === '-' ? '/dev/stdin' : path, 'r');
  } catch (e) {
    // Standard input that is a socket (a parent's spawn with a piped stdin) cannot be reopened.
    if (path === '-' && (e as NodeJS.ErrnoException).code === 'ENXIO') {
      const stdin = new Socket({ fd: 0, readable: true, writable: false });
      try {
        return await readCaptureStream(stdin, onPacket, { ...opts, name });
      } finally {
        stdin.destroy();
      }
    }
    throw fromFileErrno(e, name);
  }
  const parser = new CaptureParser(onPacket, opts.reuse === true);
  const buf = new Uint8Array(BUFFER_SIZE);
  let have = 0;
  try {
    // A regular file is read synchronously (no thread-pool round trip per chunk, which left the
    // parser idle a third of the time), yielding to the event loop between chunks so Ctrl-C and
    // the abort signal are seen; a pipe is read asynchronously.
    const st = await fh.stat();
    if (st.isDirectory()) throw new EnvironmentError(`${name}: is a directory`);
    const regular = st.isFile();
    for (;;) {
      if (opts.signal?.aborted) return parser.stats;
      const bytesRead = regular
        ? readSync(fh.fd, buf, have, buf.length - have, null)
        : (await fh.read(buf, have, buf.length - have, null)).bytesRead;
      const final = bytesRead === 0;
      have += bytesRead;
      const used = parser.parse(buf.subarray(0, have), final);
      if (final) return parser.stats;
      // The incomplete record moves to the front; the next read appends to it.
      buf.copyWithin(0, used, have);
      have -= used;
      opts.onProgress?.(parser.stats.bytes);
      if (regular) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    throw named(e, name);
  } finally {
    await fh.close();
  }
}

/** Reads a capture from a stream (tcpdump's stdout), calling `onPacket` for each TCP segment. */
export async function readCaptureStream(
  input: Readable,
  onPacket: (packet: WirePacket) => void,
  opts: ReadOptions & { name?: string } = {},
): Promise<CaptureStats> {
  const parser = new CaptureParser(onPacket, opts.reuse === true);
  try {
    for await (const chunk of input as AsyncIterable<Uint8Array>) {
      parser.push(chunk);
      opts.onProgress?.(parser.stats.bytes);
      if (opts.signal?.aborted) break;
    }
    return parser.end();
  } catch (e) {
    throw named(e, opts.name ?? 'capture');
  }
}

/** The packets of a stream as an async iterator (one chunk's packets at a time). */
export async function* capturePackets(
  input: Readable,
  stats?: (s: CaptureStats) => void,
): AsyncGenerator<WirePacket> {
  let batch: WirePacket[] = [];
  const parser = new CaptureParser((p) => batch.push(p));
  for await (const chunk of input as AsyncIterable<Uint8Array>) {
    parser.push(chunk);
    const out = batch;
    batch = [];
    yield* out;
  }
  parser.end();
  yield* batch;
  stats?.(parser.stats);
}

function named(e: unknown, name: string): unknown {
  return e instanceof ParseError ? new ParseError(`${name}: ${e.message}`, { cause: e }) : e;
}
