/**
 * What users type for states: Linux and RFC names in any case with `-` or `_`, the usual aliases
 * (`SYN_RCVD`, `LISTENING`, `ESTAB`), the groups of `ss` and our own `teardown`, comma lists and `!`.
 * A state set is a bitmask with bit N for kernel code N, the same layout netlink's state filter uses.
 */
import { STATE_INFO, TCP_STATES, type TcpState } from './states.js';

/** A set of states: bit `code` set for each state in the set (bits 1 to 11). */
export type StateMask = number;

const bit = (s: TcpState): number => 1 << (TCP_STATES.indexOf(s) + 1);
/** The mask of the states named. */
export const maskOf = (...states: TcpState[]): StateMask => states.reduce((m, s) => m | bit(s), 0);

/** Every state, bits 1 to 11 (0xFFE). */
export const ALL_STATES: StateMask = maskOf(...TCP_STATES);

/**
 * Not a state of its own: with bit 13 (TCP_BOUND_INACTIVE, include/net/tcp_states.h) a sock_diag
 * request also dumps the sockets bound to a port but neither listening nor connecting (Linux 6.7+),
 * a common cause of EADDRINUSE. They come back in state CLOSE, the state they are in;
 * /proc/net/tcp never lists them.
 */
export const BOUND_INACTIVE: StateMask = 1 << 13;

/**
 * The groups, exactly as iproute2's ss.c defines them (`sstate_namel`, checked against `ss state
 * GROUP` in the tests): `connected` is every state but LISTEN and CLOSE, TIME_WAIT and SYN_RECV
 * included; `synchronized` leaves out SYN_SENT too; `bucket` are the mini-socket states.
 */
const CONNECTED = ALL_STATES & ~maskOf('LISTEN', 'CLOSE');
export const STATE_GROUPS: Readonly<Record<string, StateMask>> = {
  all: ALL_STATES,
  connected: CONNECTED,
  synchronized: CONNECTED & ~bit('SYN_SENT'),
  bucket: maskOf('SYN_RECV', 'TIME_WAIT'),
  big: ALL_STATES & ~maskOf('SYN_RECV', 'TIME_WAIT'),
  // Ours: every state of the close handshake. Not `closing`, which names the CLOSING state.
  teardown: maskOf('FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'TIME_WAIT'),
};

/** Spellings keyed by their compact form: upper case with `-` and `_` removed. */
const ALIASES = new Map<string, TcpState>();
for (const s of STATE_INFO) {
  ALIASES.set(compact(s.name), s.name);
  ALIASES.set(compact(s.rfc), s.name);
}
for (const [alias, state] of [
  ['ESTAB', 'ESTABLISHED'],
  ['SYNRCVD', 'SYN_RECV'],
  ['SYNRCV', 'SYN_RECV'],
  ['LISTENING', 'LISTEN'],
  ['CLOSED', 'CLOSE'],
] as const) {
  ALIASES.set(alias, state);
}

function compact(name: string): string {
  return name.toUpperCase().replace(/[-_\s]/g, '');
}

/** A user's word that names no state or group. */
export class StateNameError extends Error {
  readonly code = 'EUSAGE';
  override readonly name = 'StateNameError';
}

/** The valid words, for help texts and error messages. */
export function validStateWords(): string[] {
  return [...TCP_STATES, ...Object.keys(STATE_GROUPS)];
}

/** One state name or alias to its state, or undefined. */
export function parseStateName(word: string): TcpState | undefined {
  return ALIASES.get(compact(word));
}

/**
 * A comma list of states and groups, each optionally preceded by `!` to exclude it, to a mask.
 * With only exclusions the list starts from every state (`!TIME_WAIT` is all but TIME_WAIT).
 * @throws StateNameError on an unknown word
 */
export function parseStateList(text: string): StateMask {
  let include = 0;
  let exclude = 0;
  let sawInclude = false;
  for (const raw of text.split(',')) {
    const word = raw.trim();
    if (word === '') continue;
    const negate = word.startsWith('!');
    const name = negate ? word.slice(1).trim() : word;
    const m = wordMask(name);
    if (negate) exclude |= m;
    else {
      include |= m;
      sawInclude = true;
    }
  }
  if (!sawInclude && exclude === 0) throw new StateNameError(`no state given in '${text}'`);
  return (sawInclude ? include : ALL_STATES) & ~exclude;
}

function wordMask(word: string): StateMask {
  const group = STATE_GROUPS[word.toLowerCase()];
  if (group !== undefined) return group;
  const state = parseStateName(word);
  if (state !== undefined) return bit(state);
  throw new StateNameError(`unknown state '${word}': valid are ${validStateWords().join(', ')}`);
}

/** Whether a state is in a mask. */
export function maskHas(mask: StateMask, state: TcpState): boolean {
  return (mask & bit(state)) !== 0;
}

/** The states of a mask, in kernel order. */
export function maskStates(mask: StateMask): TcpState[] {
  return TCP_STATES.filter((s) => maskHas(mask, s));
}
