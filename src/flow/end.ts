/**
 * One end of a flow as the tracker keeps it: its machine, the states it passed through as numbers,
 * its counts and Zeek's view of it. (pure)
 */
import { type Segment, TCP_STATES, type Tcb, type TcpState } from '../tcp/index.js';

/** Zeek's view of an endpoint, for its connection state codes. */
export type ZeekEnd =
  | 'INACTIVE'
  | 'SYN_SENT'
  | 'SYN_ACK_SENT'
  | 'PARTIAL'
  | 'ESTABLISHED'
  | 'CLOSED'
  | 'RESET';

/** One end of a tracked connection, as the tracker keeps it. */
export interface End {
  readonly address: string;
  readonly port: number;
  tcb: Tcb;
  /**
   * The states it passed through and when, as numbers, `[atUs, code, atUs, code, ...]` (`code` a
   * state's index in TCP_STATES), the first where it stood before the capture saw it act: one array
   * of doubles, not an object per state (a capture keeps a minute of connections).
   */
  log: number[];
  packets: number;
  bytes: number;
  retransmissions: number;
  /** Highest sequence number sent plus one (SYN and FIN count); NO_SEQ until something was sent. */
  nxt: number;
  zeek: ZeekEnd;
  /** History letters seen from this end (bits of LETTER), and counts for the repeated ones. */
  letters: number;
  retransLetters: number;
  zeroWindows: number;
  sentFin: boolean;
  /**
   * The peer's FIN seen on the wire but not yet known to have reached this end: it counts once this
   * end acknowledges it, or when it comes again (a capture at one point cannot tell a FIN that
   * crossed this end's own, or was lost, from one that arrived).
   */
  pendingFin: Segment | undefined;
  /** When that FIN was seen, and the ladder row that shows it (-1 when not recorded). */
  pendingAtUs: number;
  pendingAtRow: number;
  /** Opened at the same time as its peer: its SYN+ACK repeats its SYN, and may cross the peer's. */
  simOpen?: true;
}

/** A state's index in TCP_STATES, as an end's log writes it. */
export const CODE = Object.fromEntries(TCP_STATES.map((st, i) => [st, i])) as Record<TcpState, number>;
/** An end's log before its first state: replaced, never changed. */
export const NO_LOG = Object.freeze([]) as unknown as number[];

/** No sequence number yet (a sequence number is 0 to 2^32 - 1). */
export const NO_SEQ = -0.5;

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type MutableTcb = Mutable<Tcb>;

/**
 * A new end of a flow, nothing seen from it yet. Ends and flows are made by constructors, not object
 * literals: their sequence numbers and port pairs are small integers or not as they come, which
 * would change a literal's field representations from one object to the next (and cost a
 * microsecond each); a constructor's shape settles once.
 */
export function newEnd(address: string, port: number, tcb: Tcb): End {
  return new EndRecord(address, port, tcb);
}

export class EndRecord implements End {
  log: number[] = NO_LOG;
  packets = 0;
  bytes = 0;
  retransmissions = 0;
  // A double from the start, so that V8 keeps the field as one and updates it in place.
  nxt = NO_SEQ;
  zeek: ZeekEnd = 'INACTIVE';
  letters = 0;
  retransLetters = 0;
  zeroWindows = 0;
  sentFin = false;
  pendingFin: Segment | undefined = undefined;
  pendingAtUs = 0;
  pendingAtRow = -1;
  simOpen?: true;
  constructor(
    readonly address: string,
    readonly port: number,
    public tcb: Tcb,
  ) {}
}
