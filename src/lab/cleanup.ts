/**
 * The registry of live lab namespaces, deleted on every way out of the process: an explicit
 * dispose, normal exit ('exit'), Ctrl-C (SIGINT) and SIGTERM: removing a namespace on Ctrl-C needs
 * the signal, so this file listens on `process`.
 * The hooks are installed while at least one namespace lives, and removed after, so a program that
 * made none keeps its own signal behaviour. After cleaning up on a signal, the signal is raised again
 * so the process dies of it as it would have (unless someone else also listens for it).
 */

/** Something that can be torn down synchronously, from an exit handler. */
export interface Disposable {
  readonly name: string;
  disposeSync(): void;
}

const live = new Set<Disposable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let installed = false;

/** Adds a live namespace: it will be removed on exit, SIGINT or SIGTERM if still there. */
export function track(d: Disposable): void {
  live.add(d);
  if (!installed) install();
}

/** Forgets a namespace that was removed. */
export function untrack(d: Disposable): void {
  live.delete(d);
  if (live.size === 0 && installed) uninstall();
}

/** Names of the namespaces still alive, in creation order. */
export function liveNames(): string[] {
  return [...live].map((d) => d.name);
}

/** Removes every live namespace now, synchronously; errors are written as one line each. */
export function disposeAllSync(): void {
  for (const d of [...live]) {
    try {
      d.disposeSync();
    } catch (e) {
      process.stderr.write(`tcpscope lab: cleanup of ${d.name}: ${(e as Error).message}\n`);
    }
    live.delete(d);
  }
}

function onExit(): void {
  disposeAllSync();
}

function onSignal(signal: NodeJS.Signals): void {
  disposeAllSync();
  uninstall();
  // Die of the signal as if we had never caught it, unless another listener still wants it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  installed = true;
}

function uninstall(): void {
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
}
