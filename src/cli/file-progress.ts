/**
 * Reading a capture named on the command line: a progress line for a big file, on a terminal's
 * stderr only; and Ctrl-C on standard input taken as the capture's end.
 */
import { statSync } from 'node:fs';
import type { Cli } from './output.js';

/** Files at least this large get a progress line on a terminal's stderr. */
const PROGRESS_BYTES = 16 * 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

/**
 * A progress line for a big file when stderr is a terminal (never for stdin, nor on a pipe): how far
 * into the file, updated a few times a second, cleared at the end (offset -1). Called for every
 * packet, it reads the clock every 4096 calls; `perBatch` when it is called once a batch of packets
 * (threads), every call.
 */
export function progressMeter(
  cli: Cli,
  file: string,
  perBatch = false,
): ((offset: number) => void) | undefined {
  if (cli.o.errTty !== true || file === '-') return undefined;
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return undefined;
  }
  if (size < PROGRESS_BYTES) return undefined;
  const t0 = Date.now();
  // The first line comes at once (after 4096 packets, or the first batch), the next ones every PROGRESS_EVERY_MS.
  let next = t0;
  let shown = false;
  let calls = 0;
  return (offset) => {
    if (offset < 0) {
      if (shown) cli.o.err('\r\x1b[K');
      return;
    }
    // The clock is read every 4096 packets, not every packet.
    if (!perBatch && (++calls & 4095) !== 0) return;
    const now = Date.now();
    if (now < next) return;
    next = now + PROGRESS_EVERY_MS;
    shown = true;
    const pct = Math.min(100, Math.floor((offset / size) * 100));
    const mb = (n: number) => (n / 1048576).toFixed(0);
    cli.o.err(
      `\r\x1b[Kreading ${file}: ${pct}% (${mb(offset)} of ${mb(size)} MB, ${((now - t0) / 1000).toFixed(1)} s)`,
    );
  };
}

/**
 * Standard input (`tcpdump -w - | tcpscope pcap -`): Ctrl-C reaches both, and is the end of the
 * capture, as tcpdump takes it: the reading stops at the next chunk (or when tcpdump, stopping too,
 * closes the pipe) and what was read is reported. A second Ctrl-C ends tcpscope at once. A file is
 * not a capture in progress: Ctrl-C ends the program as usual. `off` when the reading is done.
 */
export function endOnInterrupt(cli: Cli, file: string): { signal?: AbortSignal; off: () => void } {
  if (file !== '-' || !cli.onInterrupt) return { off: () => {} };
  const stop = new AbortController();
  // Taken once: a second Ctrl-C meets no handler, and ends the program as usual.
  const off = cli.onInterrupt(() => {
    stop.abort();
    off();
  });
  return { signal: stop.signal, off };
}
