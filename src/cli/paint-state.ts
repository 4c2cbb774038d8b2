/** Colours of states on a terminal: trouble-prone states stand out. */
import { type Colour, type Output, paint } from './output.js';

const COLOURS: Record<string, Colour> = {
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

/** `text` painted in the colour of `state`, on a terminal only. */
export function stateColour(o: Pick<Output, 'tty'>, state: string, text: string): string {
  const c = COLOURS[state];
  return c ? paint(o, c, text) : text;
}
