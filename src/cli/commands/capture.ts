/**
 * `tcpscope capture`: live TCP packets through tcpdump, with a filter built from tcpscope's own
 * flags; one line (or NDJSON object) per segment as it is seen. `--write FILE` keeps the capture.
 */
import { captureFilter, type FilterFlags } from '../../capture/bpf.js';
import { totalSkipped } from '../../capture/stats.js';
import { captureLive } from '../../capture/tcpdump.js';
import { UsageError } from '../../errors.js';
import { packetJson, packetLine } from '../../render/packet-text.js';
import type { Cli } from '../output.js';
import { parseIntFlag } from '../socket-options.js';

interface CaptureFlags extends FilterFlags {
  interface: string;
  write?: string;
  duration?: string;
  count?: string;
  snaplen: string;
  netns?: string;
  json?: boolean;
  tcpdump?: string;
}

/** Runs `capture`. */
export async function run(cli: Cli, flags: CaptureFlags): Promise<void> {
  const filter = captureFilter(flags);
  const durationMs = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  const count = flags.count === undefined ? undefined : parseIntFlag('--count', flags.count, 1, 2 ** 31);
  const snaplen = parseIntFlag('--snaplen', flags.snaplen, 68, 262_144);
  const stop = new AbortController();
  const off = cli.onInterrupt?.(() => stop.abort());
  const timer = durationMs === undefined ? undefined : setTimeout(() => stop.abort(), durationMs);
  let seen = 0;
  const render = flags.json ? packetJson : packetLine;
  try {
    const result = await captureLive({
      iface: flags.interface,
      filter,
      snaplen,
      ...(flags.write !== undefined ? { write: flags.write } : {}),
      ...(flags.netns !== undefined ? { netns: flags.netns } : {}),
      ...(flags.tcpdump !== undefined ? { tcpdump: flags.tcpdump } : {}),
      signal: stop.signal,
      onListening: (line) => cli.o.note(`capturing: ${line.replace(/^tcpdump: /, '')}`),
      onPacket: (p) => {
        if (stop.signal.aborted) return;
        cli.o.out(render(p));
        if (count !== undefined && ++seen >= count) stop.abort();
      },
    });
    const skipped = totalSkipped(result.stats);
    cli.o.note(
      `${result.stats.packets} TCP packets${skipped ? `, ${skipped} records skipped` : ''}${result.dropped ? `, ${result.dropped} dropped by the kernel (a busy link: narrow the filter)` : ''}`,
    );
  } finally {
    if (timer) clearTimeout(timer);
    off?.();
  }
}

/** `10`, `2.5s`, `500ms`, `2m`. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--duration: '${text}' is not a duration (10, 2.5s, 500ms, 2m)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0 || ms > 2 ** 31 - 1) throw new UsageError(`--duration: ${text} is out of range`);
  return ms;
}
