/**
 * Starts a lab scenario (catalog.ts) for real: checks root and the tools, makes a private namespace
 * named `tcpscope-lab-<id>-<pid>-<n>` with the lab's sysctls, loads the scenario's nft rules and starts
 * its processes (the holder; for unexpected-listener also one run from a deleted temporary copy of
 * node), and resolves once `ss` shows every socket as meant. `stop()` removes everything; with `keep`
 * the namespace and its processes outlive this process until `tcpscope lab down` (state.ts).
 * This is the library's face of `tcpscope lab`, also used by the doctor's tests.
 */
import { copyFileSync, linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, PermissionError, UsageError } from '../errors.js';
import { applyScenario, type Scenario, ssSockets } from './apply.js';
import { findScenario, LAB_SCENARIOS, planPorts } from './catalog.js';
import type { LabPlan, LabProcessPlan, LabScenario } from './catalog-types.js';
import { track, untrack } from './cleanup.js';
import { createNetns, LAB_SYSCTLS, type Netns } from './netns.js';
import { run } from './run.js';
import type { HolderReport } from './scenario.js';
import { isRoot, nodeBinary } from './self.js';
import type { SsSocket } from './ss.js';
import { LAB_PREFIX, LAB_STATE_DIR, saveLabState } from './state.js';

export interface StartOptions {
  /** `--count`: the scenario's default when absent. */
  count?: number;
  /** The base port: the scenario's own when absent. */
  port?: number;
  /** Leave it all running after this process ends (`lab up`), recorded under `stateDir`. */
  keep?: boolean;
  stateDir?: string;
  /** The holder's entry file (tests of a build tree); the package's own by default. */
  holderEntry?: string;
}

/** One process of a running scenario. */
export interface LabProcess {
  role: string;
  pid: number;
  /** The executable it was started from, when not our node (it no longer exists). */
  exe?: string;
  report: HolderReport;
}

/** A running lab scenario. */
export interface LabRun {
  readonly scenario: LabScenario;
  readonly count: number;
  /** The namespace's name (`tcpscope --netns NAME`). */
  readonly netns: string;
  readonly ns: Netns;
  readonly processes: readonly LabProcess[];
  /** The process and port the doctor should name (`scenario.rules` says which rules). */
  readonly culprit: { role: string; pid: number; port: number };
  /** Every port the scenario's items use. */
  readonly ports: readonly number[];
  /** The values of the scenario's sysctls of interest, read in the namespace. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** The namespace's TCP table on the scenario's ports, as ss shows it (with owners). */
  sockets(): Promise<SsSocket[]>;
  /** Ends the processes and removes the namespace (and its record, when kept). */
  stop(): Promise<void>;
}

/** The lowest ephemeral port of a lab namespace (LAB_SYSCTLS): scenario ports stay below it. */
const EPHEMERAL_LOW = 40000;

/** Checks id, count and port and returns the scenario with its plan; throws a UsageError. */
export function planScenario(
  id: string,
  opts: Pick<StartOptions, 'count' | 'port'> = {},
): { scenario: LabScenario; count: number; port: number; plan: LabPlan } {
  const scenario = findScenario(id);
  if (!scenario) {
    throw new UsageError(`lab: unknown scenario '${id}': ${LAB_SCENARIOS.map((s) => s.id).join(', ')}`);
  }
  const count = opts.count ?? scenario.count.default;
  if (!Number.isInteger(count) || count < 1 || count > scenario.count.max) {
    throw new UsageError(`lab ${id}: --count must be 1 to ${scenario.count.max} (${scenario.count.what})`);
  }
  const port = opts.port ?? scenario.port;
  const plan = scenario.plan(count, port);
  const bad = planPorts(plan).find((p) => !Number.isInteger(p) || p < 1 || p >= EPHEMERAL_LOW);
  if (bad !== undefined)
    throw new UsageError(`lab ${id}: --port: ports must stay within 1..${EPHEMERAL_LOW - 1}`);
  return { scenario, count, port, plan };
}

/** Throws the one-line error of a machine that cannot run the lab: not root, or no ip, ss or nft. */
export async function requireLab(): Promise<void> {
  if (!isRoot())
    throw new PermissionError('lab: needs root (network namespaces and nftables): run it with sudo');
  const tools: [string[], string][] = [
    [['ip', '-V'], 'iproute2 (ip)'],
    [['ss', '-V'], 'iproute2 (ss)'],
    [['nft', '--version'], 'nftables (nft)'],
  ];
  for (const [argv, what] of tools) {
    try {
      await run(argv, { timeoutMs: 5000 });
    } catch (e) {
      throw new EnvironmentError(`lab: needs ${what}, which is missing or broken: ${(e as Error).message}`);
    }
  }
}

/** Starts scenario `id` in a fresh namespace; see the file's comment. */
export async function startLabScenario(id: string, opts: StartOptions = {}): Promise<LabRun> {
  const { scenario, count, plan } = planScenario(id, opts);
  await requireLab();
  const ns = await createNetns(`${LAB_PREFIX}${id}`, { sysctls: { ...LAB_SYSCTLS, ...plan.sysctls } });
  const started: Scenario[] = [];
  const processes: LabProcess[] = [];
  try {
    for (const p of plan.processes) processes.push(await startProcess(ns, p, opts, started));
  } catch (e) {
    await ns.dispose();
    throw e;
  }
  const sysctls: Record<string, string> = {};
  for (const k of scenario.sysctls) sysctls[k] = await ns.readSysctl(k).catch(() => '?');
  const lab = makeRun(scenario, count, ns, processes, started, plan, sysctls, opts);
  if (opts.keep) {
    saveLabState(
      {
        name: ns.name,
        scenario: id,
        count,
        created: new Date().toISOString(),
        processes: processes.map((p) => ({ role: p.role, pid: p.pid })),
        culprit: { pid: lab.culprit.pid, port: lab.culprit.port },
        ports: [...lab.ports],
      },
      opts.stateDir ?? LAB_STATE_DIR,
    );
    ns.keep();
  }
  return lab;
}

/** Starts one process of a plan (from a deleted temporary copy of node when it says so). */
async function startProcess(
  ns: Netns,
  p: LabProcessPlan,
  opts: StartOptions,
  started: Scenario[],
): Promise<LabProcess> {
  const temp = p.exe === 'deleted-temp' ? tempNode() : undefined;
  try {
    const sc = await applyScenario(
      ns,
      { items: p.items },
      {
        ...(temp ? { node: temp.exe } : {}),
        ...(opts.keep ? { detached: true } : {}),
        ...(opts.holderEntry ? { holderEntry: opts.holderEntry } : {}),
      },
    );
    started.push(sc);
    return { role: p.role, pid: sc.pid, report: sc.report, ...(temp ? { exe: temp.exe } : {}) };
  } finally {
    temp?.disposeSync();
  }
}

function makeRun(
  scenario: LabScenario,
  count: number,
  ns: Netns,
  processes: LabProcess[],
  started: Scenario[],
  plan: LabPlan,
  sysctls: Record<string, string>,
  opts: StartOptions,
): LabRun {
  const ports = planPorts(plan);
  const owner = processes[plan.culprit.process]!;
  return {
    scenario,
    count,
    netns: ns.name,
    ns,
    processes,
    culprit: { role: owner.role, pid: owner.pid, port: plan.culprit.port },
    ports,
    sysctls,
    sockets: async () =>
      (await ssSockets(ns)).filter((r) => ports.includes(r.local.port) || ports.includes(r.remote.port)),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
      await ns.dispose();
      if (opts.keep) rmSync(join(opts.stateDir ?? LAB_STATE_DIR, `${ns.name}.json`), { force: true });
    },
  };
}

/**
 * A copy of our node binary in a fresh temporary directory (a hard link when the file system allows,
 * else a copy), as a program dropped in /tmp would be. `disposeSync` deletes it once the process
 * runs, so /proc/PID/exe reads "... (deleted)"; it is also deleted if we die before that.
 */
function tempNode(): { exe: string; disposeSync(): void; name: string } {
  const dir = mkdtempSync(join(tmpdir(), LAB_PREFIX));
  const exe = join(dir, 'lab-implant');
  const t = {
    exe,
    name: dir,
    disposeSync: () => {
      rmSync(dir, { recursive: true, force: true });
      untrack(t);
    },
  };
  track(t);
  try {
    linkSync(nodeBinary(), exe);
  } catch {
    copyFileSync(nodeBinary(), exe);
  }
  return t;
}
