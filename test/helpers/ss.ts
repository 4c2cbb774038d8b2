/** `ss -tanH...` for tests: run it (in a namespace when given) and read it with the lab's parser. */
import { execFileSync } from 'node:child_process';
import { parseSs as parseLines, type SsSocket } from '../../src/lab/ss.js';
import type { Socket } from '../../src/tcp/socket.js';
import { TCP_STATES, type TcpState } from '../../src/tcp/states.js';

/** Parses ss output, with owners when it has a process column. */
export function parseSs(text: string): SsSocket[] {
  return parseLines(text, /\busers:\(/.test(text));
}

/** Runs `ss -tanH` with extra flags, in a namespace when given. */
export function runSs(flags: string, netns?: string): SsSocket[] {
  const args = ['-tanH', ...(flags ? [flags] : [])];
  const argv = netns ? ['ip', 'netns', 'exec', netns, 'ss', ...args] : ['ss', ...args];
  return parseSs(
    execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
}

/** A key that identifies a socket in both outputs. */
export function socketKey(s: Pick<Socket, 'state' | 'local' | 'remote'>): string {
  return `${s.state} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}

/** Sockets per state as `ss -tanH` counts them (every state, zeros included), in a namespace when given. */
export function ssStateCounts(netns?: string): Record<TcpState, number> {
  const out = Object.fromEntries(TCP_STATES.map((s) => [s, 0])) as Record<TcpState, number>;
  for (const s of runSs('', netns)) out[s.state]++;
  return out;
}
