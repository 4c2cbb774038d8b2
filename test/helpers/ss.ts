/**
 * Reads `ss -tanH` output (with any of -p, -o, -e) into comparable records: the reference our
 * socket table is checked against.
 */
import { execFileSync } from 'node:child_process';
import { parseStateName } from '../../src/tcp/state-names.js';
import type { TcpState } from '../../src/tcp/states.js';

export interface SsSocket {
  state: TcpState;
  recvQ: number;
  sendQ: number;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  inode?: number;
  timer?: { kind: string; retransmits: number };
  users: { command: string; pid: number; fd: number }[];
}

function endpoint(text: string): { address: string; port: number } {
  const i = text.lastIndexOf(':');
  let address = text.slice(0, i);
  const port = text.slice(i + 1);
  if (address.startsWith('[')) address = address.slice(1, -1);
  if (address === '*') address = '::';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1]!;
  address = address.replace(/%.*$/, '');
  return { address, port: port === '*' ? 0 : Number(port) };
}

/** One line of `ss -tanH...` to a record. */
export function parseSsLine(line: string): SsSocket {
  const f = line.trim().split(/\s+/);
  const state = f[0] === 'UNCONN' ? 'CLOSE' : parseStateName(f[0]!);
  if (!state) throw new Error(`ss: unknown state in '${line}'`);
  const s: SsSocket = {
    state,
    recvQ: Number(f[1]),
    sendQ: Number(f[2]),
    local: endpoint(f[3]!),
    remote: endpoint(f[4]!),
    users: [],
  };
  const ino = /\bino:(\d+)/.exec(line);
  if (ino) s.inode = Number(ino[1]);
  const timer = /timer:\((\w+),[^,]*,(\d+)\)/.exec(line);
  if (timer) s.timer = { kind: timer[1]!, retransmits: Number(timer[2]) };
  for (const m of line.matchAll(/\("([^"]*)",pid=(\d+),fd=(\d+)\)/g)) {
    s.users.push({ command: m[1]!, pid: Number(m[2]), fd: Number(m[3]) });
  }
  return s;
}

/** Parses a whole `ss -tanH...` output. */
export function parseSs(text: string): SsSocket[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseSsLine);
}

/** Runs `ss -tanH` with extra flags, in a namespace when given. */
export function runSs(flags: string, netns?: string): SsSocket[] {
  const args = ['-tanH', ...(flags ? [flags] : [])];
  const out = netns
    ? execFileSync('ip', ['netns', 'exec', netns, 'ss', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
    : execFileSync('ss', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return parseSs(out);
}

/** A key that identifies a socket in both outputs. */
export function socketKey(s: {
  state: string;
  local: { address: string; port: number };
  remote: { address: string; port: number };
}): string {
  return `${s.state} ${s.local.address} ${s.local.port} ${s.remote.address} ${s.remote.port}`;
}
