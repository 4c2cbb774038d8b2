/**
 * Live capture: tcpdump as a child writing pcap to its stdout (`-U -w -`, immediate mode, headers
 * only), read by the stream reader into `WirePacket`s. Arguments are an array, never a shell string.
 * The child is stopped on the abort signal (Ctrl-C, SIGTERM, --duration, a closed stdout) and, should
 * tcpscope exit first, by an exit hook, so none is left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { EnvironmentError, fromErrno, PermissionError, UsageError } from '../errors.js';
import type { WirePacket } from '../net/packet.js';
import { readCaptureStream } from './read.js';
import { type CaptureStats, emptyStats } from './stats.js';

export interface LiveOptions {
  /** Interface name (`any` for all, tcpdump's LINUX_SLL2). */
  iface: string;
  /** The capture filter as words (`captureFilter`). */
  filter: string[];
  /**
   * Bytes kept of each packet; headers need under 200. Immediate mode gives the kernel ring frames
   * of this size, so a large snaplen makes it drop packets of a burst (measured with -i any).
   */
  snaplen: number;
  /** Keep the capture in this file as well (pcap, as tcpdump wrote it). */
  write?: string;
  /** Capture inside this named network namespace (`ip netns exec`). */
  netns?: string;
  /** The tcpdump to run (default `tcpdump` from PATH). */
  tcpdump?: string;
  signal: AbortSignal;
  onPacket(packet: WirePacket): void;
  /** tcpdump is capturing (its `listening on ...` line). */
  onListening?(line: string): void;
}

export interface LiveResult {
  stats: CaptureStats;
  /** tcpdump's own summary lines (`N packets captured`, `... dropped by kernel`). */
  summary: string[];
  /** Packets the kernel dropped, from that summary. */
  dropped: number;
}

/** The argument list of the tcpdump child (exported for tests). */
export function tcpdumpArgs(
  o: Pick<LiveOptions, 'iface' | 'filter' | 'snaplen' | 'netns' | 'tcpdump'>,
): string[] {
  const argv = [
    o.tcpdump ?? 'tcpdump',
    '-U',
    '--immediate-mode',
    '-n',
    '-s',
    String(o.snaplen),
    '-w',
    '-',
    '-i',
    o.iface,
    '--',
    ...o.filter,
  ];
  return o.netns === undefined ? argv : ['ip', 'netns', 'exec', o.netns, ...argv];
}

/**
 * Runs tcpdump until the signal aborts or tcpdump ends, calling `onPacket` for each TCP segment.
 * @throws TcpscopeError when tcpdump is missing, not permitted, or refuses the interface or filter
 */
export async function captureLive(o: LiveOptions): Promise<LiveResult> {
  const [cmd, ...args] = tcpdumpArgs(o);
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const unhook = killOnExit(child);
  const stderr: string[] = [];
  let listening = false;
  let spawnError: unknown;
  child.on('error', (e) => {
    spawnError = e;
  });
  child.stderr!.setEncoding('utf8');
  let partial = '';
  child.stderr!.on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stderr.push(line);
      if (!listening && /^(tcpdump: )?listening on /.test(line)) {
        listening = true;
        o.onListening?.(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  o.signal.addEventListener('abort', stop, { once: true });
  if (o.signal.aborted) stop();
  let file: WriteStream | undefined;
  let fileError: unknown;
  if (o.write !== undefined) {
    file = createWriteStream(o.write);
    file.on('error', (e) => {
      fileError = e;
      stop();
    });
    child.stdout!.on('data', (chunk: Buffer) => file!.write(chunk));
  }
  let stats: CaptureStats | undefined;
  let readError: unknown;
  try {
    stats = await readCaptureStream(child.stdout!, o.onPacket, { name: 'tcpdump' });
  } catch (e) {
    readError = e;
    stop();
  }
  const { code, signal } = await exited;
  o.signal.removeEventListener('abort', stop);
  unhook();
  if (file) await new Promise<void>((resolve) => file.end(resolve));
  if (partial) stderr.push(partial);
  if (spawnError) throw spawnFailure(spawnError, o);
  if (fileError) throw fromErrno(fileError, o.write ?? 'file');
  if (!listening && !o.signal.aborted) throw tcpdumpFailure(stderr, code, o);
  if (readError && !o.signal.aborted) throw readError;
  // Stopped by something else than tcpscope (kill, the OOM killer), or failed while capturing.
  if (!o.signal.aborted && signal !== null)
    throw new EnvironmentError(`tcpdump was stopped by ${signal} before the capture ended`);
  if (!o.signal.aborted && code !== 0 && code !== null) throw tcpdumpFailure(stderr, code, o);
  const summary = stderr.filter((l) => /packets? (captured|received by filter|dropped by kernel)/.test(l));
  const drop = /(\d+) packets? dropped by kernel/.exec(summary.join('\n'));
  return { stats: stats ?? emptyStats(), summary, dropped: drop ? Number(drop[1]) : 0 };
}

function spawnFailure(e: unknown, o: LiveOptions): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const what = o.netns !== undefined ? 'ip (iproute2) or tcpdump' : (o.tcpdump ?? 'tcpdump');
    return new EnvironmentError(`${what} not found: install tcpdump (apt-get install tcpdump)`, { cause: e });
  }
  return fromErrno(e, 'tcpdump');
}

/** tcpdump ended before capturing: its last words as one line of advice. */
function tcpdumpFailure(stderr: string[], code: number | null, o: LiveOptions): Error {
  const said = stderr.filter((l) => l.trim() !== '' && !/^tcpdump: data link type/.test(l));
  // tcpdump puts the system's reason on a line of its own: `(socket: Operation not permitted)`.
  const tail = said.length > 1 && said.at(-1)!.startsWith('(') ? said.slice(-2).join(' ') : said.at(-1);
  const last = tail?.replace(/^tcpdump: /, '') ?? `exited with ${code}`;
  // `ip netns exec` found no such program.
  const exec = /exec of "([^"]+)" failed: No such file/.exec(last);
  if (exec) return new EnvironmentError(`${exec[1]} not found: install tcpdump (apt-get install tcpdump)`);
  if (/permission|not permitted|Operation not permitted/i.test(last))
    return new PermissionError(
      `capturing on '${o.iface}' is not permitted: run as root, or give tcpdump CAP_NET_RAW and CAP_NET_ADMIN (tcpdump: ${last})`,
    );
  if (/No such device|doesn't exist|not found/i.test(last))
    return new UsageError(`tcpdump: no interface '${o.iface}' (${last}); see ip link`);
  if (/syntax error|expression|illegal|unknown (host|port)/i.test(last))
    return new UsageError(`capture filter '${o.filter.join(' ')}' refused: ${last}`);
  if (/Cannot open network namespace/i.test(last) && o.netns !== undefined)
    return new UsageError(`no network namespace '${o.netns}' (ip netns list)`);
  return new EnvironmentError(`tcpdump: ${last}`);
}

/**
 * The child must not outlive tcpscope: `process.exit` (a closed stdout ends the program that way)
 * runs 'exit' listeners synchronously, and a signal sent there is delivered. The one `process`
 * use of this module, as `lab/cleanup.ts` does for namespaces.
 */
function killOnExit(child: ChildProcess): () => void {
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  return () => process.off('exit', kill);
}
