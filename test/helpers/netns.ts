/**
 * The tests' private network namespace (root): created with `ip netns add`, loopback up, the
 * orphaned FIN_WAIT2 timeout shortened; deleted by `delete()` (or `close()`: call it in `after`), and
 * on exit, Ctrl-C or SIGTERM of the test process by the lab's own cleanup (src/lab/cleanup.ts) if a
 * test could not. And a state holder (holder.ts) started inside one.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { track, untrack } from '../../src/lab/cleanup.js';

const execFileP = promisify(execFile);
let counter = 0;

export interface TestNetns {
  name: string;
  /** Runs a command inside the namespace, returns stdout. */
  exec(argv: string[]): string;
  /** Runs a program inside the namespace; resolves with its stdout (rejects on a non-zero exit). */
  run(argv: readonly string[], timeoutMs?: number): Promise<string>;
  /** Runs `node --input-type=module -e CODE ...args` inside the namespace. */
  node(code: string, args?: readonly string[], timeoutMs?: number): Promise<string>;
  delete(): void;
  /** The same as `delete()`. */
  close(): void;
}

/** A fresh namespace `tcps-t-PID-N[-TAG]` with loopback up. */
export function makeNetns(tag?: string): TestNetns {
  const name = `tcps-t-${process.pid}-${counter++}${tag ? `-${tag}` : ''}`;
  execFileSync('ip', ['netns', 'add', name]);
  const exec = (argv: string[]): string =>
    execFileSync('ip', ['netns', 'exec', name, ...argv], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  try {
    exec(['ip', 'link', 'set', 'lo', 'up']);
    exec(['sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=30']);
  } catch (e) {
    execFileSync('ip', ['netns', 'delete', name]);
    throw e;
  }
  const remove = (): void => {
    untrack(entry);
    try {
      execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    } catch {}
  };
  const entry = { name, disposeSync: remove };
  track(entry);
  const run = async (argv: readonly string[], timeoutMs = 20_000): Promise<string> => {
    const r = await execFileP('ip', ['netns', 'exec', name, ...argv], {
      timeout: timeoutMs,
      maxBuffer: 1 << 24,
    });
    return r.stdout;
  };
  return {
    name,
    exec,
    run,
    node: (code, args = [], timeoutMs) =>
      run([process.execPath, '--input-type=module', '-e', code, ...args], timeoutMs),
    delete: remove,
    close: remove,
  };
}

/**
 * Node code (for `node -e`) that opens and closes `argv[1]` connections to 127.0.0.1:`argv[2]`, one after
 * the other, against a server of its own that accepts them; then exits.
 */
export const OPEN_CLOSE = `
import net from "node:net";
const n = Number(process.argv[1]), port = Number(process.argv[2]);
const srv = net.createServer((c) => c.on("end", () => c.end()));
await new Promise((r) => srv.listen(port, "127.0.0.1", r));
for (let i = 0; i < n; i++) {
  const c = net.connect({ host: "127.0.0.1", port });
  await new Promise((r, j) => { c.on("connect", r); c.on("error", j); });
  await new Promise((r) => { c.on("close", r); c.end(); });
}
srv.close();
`;

/** What the holder made: its ports, by role. */
export interface HolderReady {
  pid: number;
  ports: Record<string, number>;
}

export interface Holder extends HolderReady {
  stop(): void;
}

const HOLDER = fileURLToPath(new URL('./holder.js', import.meta.url));

/** Starts holder.js in the namespace with a list of states to make; resolves when they are made. */
export async function startHolder(ns: TestNetns, make: string[]): Promise<Holder> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns.name, process.execPath, HOLDER, ...make], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stop = (): void => {
    child.stdin?.end();
    child.kill('SIGTERM');
  };
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('holder: not ready after 20 s')), 20_000);
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  }).catch((e) => {
    stop();
    throw e;
  });
  const ready = JSON.parse(line) as HolderReady;
  return { ...ready, stop };
}

/**
 * A namespace holding `make`'s states for the tests of the calling `describe`: made before them and
 * removed after them (the holder stopped first). Read `.ns` and `.holder` inside the tests.
 */
export function holdInNetns(make: string[]): { readonly ns: TestNetns; readonly holder: Holder } {
  const held = {} as { ns: TestNetns; holder: Holder };
  before(async () => {
    held.ns = makeNetns();
    held.holder = await startHolder(held.ns, make);
  });
  after(() => {
    held.holder?.stop();
    held.ns?.delete();
  });
  return held;
}

/**
 * A client in namespace `netns` connects to 127.0.0.1:`port`, sends its FIN and exits (its socket
 * goes on as an orphan): against a server that never closes, one more CLOSE_WAIT there.
 */
export function connectAndClose(netns: string, port: number): void {
  execFileSync(
    'ip',
    [
      ...['netns', 'exec', netns, process.execPath, '-e'],
      `const s = require('node:net').connect(${port}, '127.0.0.1', () => s.end(() => process.exit(0)));`,
    ],
    { timeout: 10_000 },
  );
}

/** A Node program running in the background in a test namespace (startNodeIn). */
export interface NodeProgram {
  child: ChildProcess;
  /** The next line it writes on stdout (its "ready", "opened"...), within `timeoutMs`. */
  line(timeoutMs?: number): Promise<string>;
  /** Writes a line on its stdin (a signal to go on). */
  tell(text: string): void;
  stop(): void;
}

/**
 * Runs Node module code (`--input-type=module -e`) in `ns` in the background; resolves once it
 * writes its first line on stdout, its sign that it is ready. Stop it in a `finally`.
 */
export async function startNodeIn(ns: TestNetns, code: string, timeoutMs = 20_000): Promise<NodeProgram> {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let waiting: ((l: string) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(l);
    } else lines.push(l);
  });
  const program: NodeProgram = {
    child,
    line: (ms = 20_000) =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no line from the program within ${ms} ms`)), ms);
            waiting = (l) => {
              clearTimeout(timer);
              resolve(l);
            };
          }),
    tell: (text) => void child.stdin!.write(`${text}\n`),
    stop: () => void child.kill('SIGKILL'),
  };
  try {
    await program.line(timeoutMs);
  } catch (e) {
    program.stop();
    throw e;
  }
  return program;
}
