/**
 * The transition stream's shapes: what `tcpscope trace --json` prints (the JSON contract's
 * `{ time, family, local, remote, from, to, source, inferred? }`, extended) and the other kernel
 * events interleaved with `--events all`. Pure types.
 */
import type { Endpoint } from '../tcp/socket.js';
import type { TcpState } from '../tcp/states.js';

/** A process as far as it is known: the thread-group id users know, and its command. */
export interface TraceOwner {
  pid: number;
  command?: string;
  /** How it is known: the event ran in its context, it holds the listener the socket came from, or a snapshot. */
  via: 'context' | 'listener' | 'snapshot';
}

/** One change of state of one socket. */
export interface TraceTransition {
  kind: 'transition';
  /** Wall time, ms since the epoch. */
  timeMs: number;
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  from: TcpState;
  to: TcpState;
  source: 'kernel' | 'sampled';
  /** Not announced by the kernel: derived from events (CLOSING→CLOSE is TIME_WAIT) or seen between samples. */
  inferred?: true;
  /** What the kernel announced when `to` was inferred from it (CLOSE for an inferred TIME_WAIT). */
  announced?: TcpState;
  /** Milliseconds spent in `from`, only when measured from two events of this socket. */
  durationMs?: number;
  owner?: TraceOwner;
  /** The socket's kernel address (binary ring only): the identity that pairs its events. */
  skaddr?: string;
  /** Sampled transitions: the sampling interval, ms (the change happened within it). */
  intervalMs?: number;
}

/** A neighbour event shown with `--events all`. */
export interface TraceNote {
  kind:
    | 'retransmit'
    | 'retransmit-synack'
    | 'reset-sent'
    | 'reset-received'
    | 'connect-error'
    | 'socket-error';
  timeMs: number;
  family?: 4 | 6;
  local?: Endpoint;
  remote?: Endpoint;
  /** The socket's state when it happened. */
  state?: TcpState;
  /** errno name and number for connect() and socket errors (ECONNREFUSED 111). */
  error?: { name: string; code: number };
  owner?: TraceOwner;
  skaddr?: string;
}

export type TraceItem = TraceTransition | TraceNote;
