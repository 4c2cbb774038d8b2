/** Every state's entry, keyed by state: the Record type makes a missing state a type error. */
import type { TcpState } from '../../states.js';
import type { StateSource } from '../types.js';
import { CLOSE } from './close.js';
import { CLOSE_WAIT } from './close-wait.js';
import { CLOSING } from './closing.js';
import { ESTABLISHED } from './established.js';
import { FIN_WAIT1 } from './fin-wait1.js';
import { FIN_WAIT2 } from './fin-wait2.js';
import { LAST_ACK } from './last-ack.js';
import { LISTEN } from './listen.js';
import { SYN_RECV } from './syn-recv.js';
import { SYN_SENT } from './syn-sent.js';
import { TIME_WAIT } from './time-wait.js';

/** The source of each state's entry. */
export const STATE_SOURCES: Readonly<Record<TcpState, StateSource>> = {
  ESTABLISHED,
  SYN_SENT,
  SYN_RECV,
  FIN_WAIT1,
  FIN_WAIT2,
  TIME_WAIT,
  CLOSE,
  CLOSE_WAIT,
  LAST_ACK,
  LISTEN,
  CLOSING,
};
