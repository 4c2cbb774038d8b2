/**
 * A private network namespace for the counter tests: created with loopback up, commands run inside
 * it with `ip netns exec`, deleted by `close()` (call it in `after`, so it runs even on failure).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface TestNetns {
  name: string;
  /** Runs a program inside the namespace; resolves with its stdout (rejects on a non-zero exit). */
  run(argv: readonly string[], timeoutMs?: number): Promise<string>;
  /** Runs `node --input-type=module -e CODE ...args` inside the namespace. */
  node(code: string, args?: readonly string[], timeoutMs?: number): Promise<string>;
  close(): void;
}

/** Makes `tcps-cnt-PID-N` with lo up. */
export function makeNetns(tag: string): TestNetns {
  const name = `tcps-cnt-${process.pid}-${tag}`;
  execFileSync('ip', ['netns', 'add', name]);
  try {
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    execFileSync('ip', ['netns', 'delete', name]);
    throw e;
  }
  const run = async (argv: readonly string[], timeoutMs = 20_000): Promise<string> => {
    const r = await execFileP('ip', ['netns', 'exec', name, ...argv], {
      timeout: timeoutMs,
      maxBuffer: 1 << 24,
    });
    return r.stdout;
  };
  return {
    name,
    run,
    node: (code, args = [], timeoutMs) =>
      run([process.execPath, '--input-type=module', '-e', code, ...args], timeoutMs),
    close: () => {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {}
    },
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
