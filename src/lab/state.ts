/**
 * Lab namespaces that outlive the command that made them (`tcpscope lab up`), and their removal
 * (`tcpscope lab down`). Lab namespaces are named `tcpscope-lab-<scenario>-<pid>-<n>` (the pid of the
 * tcpscope that made it); `up` records each under /run/tcpscope-lab/<name>.json (tmpfs: gone at
 * reboot, like the namespaces). A namespace with no record whose maker still runs belongs to a
 * running `lab run` (or a test) and is left alone; one whose maker is gone is stale and removable.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { killPids } from './kill.js';
import { listNetns } from './netns.js';
import { run } from './run.js';

/** Where `lab up` records its namespaces. */
export const LAB_STATE_DIR = '/run/tcpscope-lab';
/** The prefix of every lab namespace's name. */
export const LAB_PREFIX = 'tcpscope-lab-';

/** What `lab up` records about a namespace it leaves behind. */
export interface LabState {
  name: string;
  scenario: string;
  count: number;
  /** ISO 8601. */
  created: string;
  processes: { role: string; pid: number }[];
  culprit: { pid: number; port: number };
  ports: number[];
}

/** What `downLab` did to one namespace. */
export interface LabDown {
  name: string;
  scenario?: string;
  /** Pids that were still running inside and were killed. */
  killed: number[];
}

const NAME_RE = /^tcpscope-lab-([a-z0-9-]+)-(\d+)-(\d+)$/;

/** The scenario and maker pid a lab namespace's name carries, or undefined for another name. */
export function parseLabName(name: string): { scenario: string; pid: number } | undefined {
  const m = NAME_RE.exec(name);
  return m ? { scenario: m[1]!, pid: Number(m[2]) } : undefined;
}

/** Records a namespace left up. */
export function saveLabState(state: LabState, dir = LAB_STATE_DIR): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, `${state.name}.json`), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
}

/** Every record, oldest first; unreadable files are skipped. */
export function readLabStates(dir = LAB_STATE_DIR): LabState[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(LAB_PREFIX) && n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: LabState[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n), 'utf8')) as LabState);
    } catch {}
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** The lab namespaces that exist now (`ip netns list`). */
export async function labNamespaces(): Promise<string[]> {
  return (await listNetns()).filter((n) => n.startsWith(LAB_PREFIX));
}

/**
 * What `lab down` would remove: the named ones (each must be a lab namespace or record), or with
 * `all` every recorded or stale one; namespaces of a running `lab run` are skipped with the reason.
 */
export async function labTargets(
  names: readonly string[],
  all: boolean,
  dir = LAB_STATE_DIR,
): Promise<{ targets: string[]; skipped: { name: string; why: string }[] }> {
  const existing = await labNamespaces();
  const recorded = new Set(readLabStates(dir).map((s) => s.name));
  if (!all) {
    for (const n of names) {
      if (!n.startsWith(LAB_PREFIX)) throw new UsageError(`lab down: '${n}' is not a lab namespace`);
      if (!existing.includes(n) && !recorded.has(n))
        throw new UsageError(`lab down: no lab namespace '${n}' (tcpscope lab list shows those up)`);
    }
    return { targets: [...names], skipped: [] };
  }
  const targets: string[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const n of [...new Set([...recorded, ...existing])]) {
    const maker = parseLabName(n)?.pid;
    if (!recorded.has(n) && maker !== undefined && existsSync(`/proc/${maker}`)) {
      skipped.push({ name: n, why: `in use by a running tcpscope (pid ${maker})` });
    } else targets.push(n);
  }
  return { targets, skipped };
}

/** Kills what runs in a lab namespace, deletes it and its record. */
export async function downLab(name: string, dir = LAB_STATE_DIR): Promise<LabDown> {
  if (!name.startsWith(LAB_PREFIX)) throw new UsageError(`lab down: '${name}' is not a lab namespace`);
  const state = readLabStates(dir).find((s) => s.name === name);
  const out: LabDown = { name, killed: [] };
  const scenario = state?.scenario ?? parseLabName(name)?.scenario;
  if (scenario) out.scenario = scenario;
  if ((await labNamespaces()).includes(name)) {
    out.killed = await pidsIn(name);
    // Only our holders run in a lab namespace; SIGKILL closes their sockets as any exit would.
    killPids(out.killed);
    await waitEmpty(name);
    await run(['ip', 'netns', 'del', name]);
  }
  rmSync(join(dir, `${name}.json`), { force: true });
  return out;
}

async function pidsIn(name: string): Promise<number[]> {
  const text = await run(['ip', 'netns', 'pids', name]);
  return text
    .split(/\s+/)
    .filter((w) => /^\d+$/.test(w))
    .map(Number);
}

/** Waits (up to 2 s) until no process is left in the namespace, so that nothing holds it. */
async function waitEmpty(name: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while ((await pidsIn(name)).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
