/**
 * `tcpscope capture`: live TCP packets through tcpdump, with a filter built from tcpscope's own
 * flags; one line (or NDJSON object) per segment as it is seen. `--write FILE` keeps the capture.
 */
import { captureFilter, type FilterFlags } from '../../capture/bpf.js';
import { totalSkipped } from '../../capture/stats.js';
import { captureLive } from '../../capture/tcpdump.js';
import { UsageError } from '../../errors.js';
import { isoTime } from '../../flow/report.js';
import { FlowTracker, type FlowTransition } from '../../flow/tracker.js';
import { endpointOf } from '../../net/endpoint.js';
import { packetJson, packetLine } from '../../render/packet-text.js';
import { clockText } from '../../render/trace-text.js';
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
  states?: boolean;
}

/** A transition as `trace --json` writes one, with the end, the connection and the cause. */
function transitionJson(t: FlowTransition): string {
  return `${JSON.stringify({
    time: isoTime(t.atUs),
    family: t.family,
    local: t.local,
    remote: t.remote,
    from: t.from,
    to: t.to,
    source: 'capture',
    end: t.end,
    connection: t.n,
    cause: t.cause,
  })}\n`;
}

/** A transition as a line: time, which end, both endpoints, the change, the connection. */
function transitionLine(t: FlowTransition): string {
  return `${[
    clockText(t.atUs / 1000).padEnd(15),
    t.end.padEnd(6),
    endpointOf(t.local).padEnd(24),
    endpointOf(t.remote).padEnd(24),
    `${t.from} -> ${t.to}`.padEnd(28),
    `#${t.n}`,
  ].join(' ')}\n`;
}

const STATES_HEADER = `${['TIME'.padEnd(15), 'END'.padEnd(6), 'LOCAL'.padEnd(24), 'REMOTE'.padEnd(24), 'TRANSITION'.padEnd(28), 'CONN'].join(' ')}\n`;

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
  // --states: both ends' transitions, rebuilt from the segments as they pass.
  const tracker = flags.states
    ? new FlowTracker({
        onTransition: (t) => {
          if (!stop.signal.aborted || finishing)
            cli.o.out(flags.json ? transitionJson(t) : transitionLine(t));
        },
      })
    : undefined;
  let finishing = false;
  if (tracker && !flags.json) cli.o.out(STATES_HEADER);
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
        if (tracker) tracker.push(p);
        else cli.o.out(render(p));
        seen++;
        if (count !== undefined && seen >= count) stop.abort();
      },
    });
    if (tracker) {
      // What the end of the capture settles (a FIN still unacknowledged, TIME_WAIT gone by).
      finishing = true;
      tracker.finish();
    }
    const skipped = totalSkipped(result.stats);
    cli.o.note(
      `${seen} TCP packets${skipped ? `, ${skipped} records skipped` : ''}${result.dropped ? `, ${result.dropped} dropped by the kernel (a busy link: narrow the filter)` : ''}`,
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
