/**
 * For the commands that read again and again (watch, serve, agent, record): their code runs once a
 * refresh, some of it (the doctor's rules) once in several. V8 drops the bytecode of a function that
 * has not run for a few collections, and with it the function's optimized code, and compiles both
 * again at the next call: measured at 10,000 sockets, `watch` spent about 0.7% of a core doing so.
 * Turned off for the process; V8 reads the flag at every collection.
 */
import { setFlagsFromString } from 'node:v8';

export function keepCompiledCode(): void {
  setFlagsFromString('--no-flush-bytecode');
}
