/** Colours of states on a terminal: trouble-prone states stand out. */
import { STATE_COLOURS } from '../render/state-colours.js';
import type { TcpState } from '../tcp/states.js';
import { type Output, paint } from './output.js';

/** `text` painted in the colour of `state`, on a terminal only. */
export function stateColour(o: Pick<Output, 'tty'>, state: string, text: string): string {
  const c = STATE_COLOURS[state as TcpState];
  return c ? paint(o, c, text) : text;
}
