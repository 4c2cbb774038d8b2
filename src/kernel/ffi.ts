/**
 * koffi, loaded once and only when a command needs libc (netlink, setns). koffi's own loader reads
 * node's ELF header to choose between its glibc and musl builds, which costs more than loading the
 * binary itself (about 8 ms of a 10 ms start): the build that matches this platform's glibc is
 * tried first, straight from its package, and koffi's loader is the fallback (musl, other layouts).
 */
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';

export type Koffi = typeof import('koffi').default;

let koffi: Promise<Koffi> | undefined;

function direct(): Koffi | undefined {
  if (platform() !== 'linux') return undefined;
  try {
    const require = createRequire(import.meta.url);
    const pkg = `@koromix/koffi-linux-${arch()}`;
    const native = require(`${pkg}/linux_${arch()}/koffi.node`) as Koffi;
    return typeof native.load === 'function' && typeof native.errno === 'function' ? native : undefined;
  } catch {
    return undefined;
  }
}

/** koffi's module (the same object `import('koffi')` gives). */
export function loadKoffi(): Promise<Koffi> {
  koffi ??= (async () => direct() ?? (await import('koffi')).default)();
  return koffi;
}
