/**
 * The usual roads through the state diagram, one per end and way of closing, so that a state can
 * show where it sits. On Linux a server's connection starts as a request socket created beside the
 * listener (the listener itself stays in LISTEN), which is why the server's path shows LISTEN first.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2 (Figure 5, the state diagram)
 */
import type { TcpState } from '../states.js';
import type { Bilingual } from './types.js';

/** One path in both languages. */
export interface PathSource {
  readonly id: string;
  readonly label: Bilingual;
  readonly states: readonly TcpState[];
  readonly rare: boolean;
}

const path = (id: string, en: string, zh: string, states: TcpState[], rare = false): PathSource => ({
  id,
  label: { en, zh },
  states,
  rare,
});

/** The paths, common ones first. */
export const CONNECTION_PATHS: readonly PathSource[] = [
  path('client-active-close', 'client (closes first)', '客户端（先关闭）', [
    'CLOSE',
    'SYN_SENT',
    'ESTABLISHED',
    'FIN_WAIT1',
    'FIN_WAIT2',
    'TIME_WAIT',
    'CLOSE',
  ]),
  path('server-passive-close', 'server (closes second)', '服务端（后关闭）', [
    'LISTEN',
    'SYN_RECV',
    'ESTABLISHED',
    'CLOSE_WAIT',
    'LAST_ACK',
    'CLOSE',
  ]),
  path('server-active-close', 'server (closes first)', '服务端（先关闭）', [
    'LISTEN',
    'SYN_RECV',
    'ESTABLISHED',
    'FIN_WAIT1',
    'FIN_WAIT2',
    'TIME_WAIT',
    'CLOSE',
  ]),
  path('client-passive-close', 'client (closes second)', '客户端（后关闭）', [
    'CLOSE',
    'SYN_SENT',
    'ESTABLISHED',
    'CLOSE_WAIT',
    'LAST_ACK',
    'CLOSE',
  ]),
  path('listener', 'listening socket', '监听套接字', ['CLOSE', 'LISTEN', 'CLOSE']),
  path(
    'simultaneous-close',
    'either end, simultaneous close',
    '任一端，双方同时关闭',
    ['ESTABLISHED', 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT', 'CLOSE'],
    true,
  ),
  path(
    'simultaneous-open',
    'either end, simultaneous open',
    '任一端，双方同时打开',
    ['CLOSE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED'],
    true,
  ),
];

/**
 * The paths that pass through `state`: the common ones, or the rare ones when no common path
 * does (CLOSING). CLOSE, which every path starts or ends in, gets the two client paths and the
 * listener's.
 */
export function pathsThrough(state: TcpState): PathSource[] {
  if (state === 'CLOSE') return CONNECTION_PATHS.filter((p) => !p.rare && p.states[0] === 'CLOSE');
  const common = CONNECTION_PATHS.filter((p) => !p.rare && p.states.includes(state));
  return common.length > 0 ? common : CONNECTION_PATHS.filter((p) => p.states.includes(state));
}
