/** The colour of each state on a terminal, wherever states are painted: trouble-prone states stand out. */
import type { TcpState } from '../tcp/states.js';

export type StateColour = 'green' | 'cyan' | 'yellow' | 'red' | 'gray' | 'magenta';

export const STATE_COLOURS: Readonly<Partial<Record<TcpState, StateColour>>> = {
  ESTABLISHED: 'green',
  LISTEN: 'cyan',
  SYN_SENT: 'yellow',
  SYN_RECV: 'yellow',
  CLOSE_WAIT: 'red',
  TIME_WAIT: 'gray',
  FIN_WAIT1: 'magenta',
  FIN_WAIT2: 'magenta',
  LAST_ACK: 'magenta',
  CLOSING: 'magenta',
};
