/**
 * Makes a scenario happen in a lab namespace: loads the nft rules its items need, starts the holder
 * inside (`ip netns exec NS node <holder> '<spec>'`), reads the holder's JSON line, then polls
 * `ss -tanpH` in the namespace until the kernel shows every socket as the report says it is meant to
 * be, within a time limit.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { EnvironmentError } from '../errors.js';
import { describeHeld, missingHeld, strayRows } from './match.js';
import type { Netns } from './netns.js';
import { type HolderReport, type HolderSpec, nftRuleset, parseHolderSpec } from './scenario.js';
import { nodeBinary } from './self.js';
import { parseSs, type SsSocket } from './ss.js';

export interface ApplyOptions {
  /** The holder's entry file; by default the package's own (`holderEntry()`). */
  holderEntry?: string;
  /** Limit for the holder to write its line (10 s). */
  startTimeoutMs?: number;
  /** Limit for the kernel to show every state as meant (5 s). */
  settleTimeoutMs?: number;
  /** The Node binary to run the holder with; ours by default. */
  node?: string;
  /**
   * Start the holder in a session of its own, holding until SIGTERM rather than until our end of its
   * stdin closes, so it outlives this process (`tcpscope lab up`).
   */
  detached?: boolean;
}

/** A running scenario: what the holder made, and a way to end it. */
export interface Scenario {
  /** The holder's JSON line. */
  readonly report: HolderReport;
  /** Ends the holder (stdin closed, then SIGTERM, then SIGKILL): its fds close, the kernel takes over. */
  stop(): Promise<void>;
  /** The holder process's pid (as seen from here: `ip netns exec` execs the holder in place). */
  readonly pid: number;
}

const POLL_MS = 50;

/**
 * The holder's entry file in the installed package, found through the package's own export
 * `tcpscope/lab-holder` (package.json), so it resolves the same from build/src and from the bundle.
 */
export function holderEntry(): string {
  // createRequire works from the ESM build and from the CommonJS bundle alike (import.meta.resolve does not).
  return createRequire(import.meta.url).resolve('tcpscope/lab-holder');
}

/** Applies a spec in a namespace and resolves once the kernel shows every held socket. */
export async function applyScenario(ns: Netns, spec: HolderSpec, opts: ApplyOptions = {}): Promise<Scenario> {
  const checked = parseHolderSpec(spec);
  const rules = nftRuleset(checked);
  if (rules) await ns.nft(rules);
  const argv = [opts.node ?? nodeBinary(), opts.holderEntry ?? holderEntry(), JSON.stringify(checked)];
  const child = opts.detached
    ? ns.spawn([...argv, '--detached'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : ns.spawn(argv);
  const stop = () => stopHolder(child);
  try {
    const report = await readReport(child, opts.startTimeoutMs ?? 10_000);
    if (opts.detached) letGo(child);
    await waitForHeld(ns, report, opts.settleTimeoutMs ?? 5000);
    return { report, stop, pid: child.pid ?? report.pid };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The namespace's TCP table with owners, as `ss -tanpH` shows it. */
export async function ssSockets(ns: Netns): Promise<SsSocket[]> {
  return parseSs(await ns.exec(['ss', '-tanpH']), true);
}

/** Polls ss until every socket of the report is there as meant (and no stray state); throws a line naming what is not. */
export async function waitForHeld(ns: Netns, report: HolderReport, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await ssSockets(ns);
    const missing = missingHeld(report, rows);
    const stray = strayRows(report, rows);
    if (missing.length === 0 && stray.length === 0) return;
    if (Date.now() > deadline) {
      const list = [
        ...missing.map(([it, h]) => `${it.kind}/${it.family}: ${describeHeld(h)}`),
        ...stray.map(([it, r]) => `${it.kind}/${it.family}: unexpected ${r.state} on port ${it.port}`),
      ];
      const more = list.length > 5 ? ` (and ${list.length - 5} more)` : '';
      throw new EnvironmentError(
        `lab: after ${timeoutMs} ms, not as meant: ${list.slice(0, 5).join('; ')}${more}`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The first line on the holder's stdout, parsed; its error line, early exit or silence become one-line errors. */
function readReport(child: ChildProcess, timeoutMs: number): Promise<HolderReport> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new EnvironmentError(`lab holder: ${why}`));
    };
    const timer = setTimeout(() => fail(`no report after ${timeoutMs} ms`), timeoutMs);
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', (e) => fail(e.message));
    child.on('close', (code, signal) =>
      fail(`exited (${signal ?? code}) ${err.trim().split('\n')[0] ?? ''}`),
    );
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const line = JSON.parse(out.slice(0, nl)) as HolderReport | { error: string };
      if ('error' in line) return fail(line.error);
      resolve(line);
    });
  });
}

/** Stops listening to a detached holder, so that this process may end while it lives on. */
function letGo(child: ChildProcess): void {
  child.removeAllListeners('close');
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
}

function stopHolder(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
    // A detached holder has no stdin to close: it holds until SIGTERM.
    if (!child.stdin) child.kill('SIGTERM');
  });
}
