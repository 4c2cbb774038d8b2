/**
 * The TCP states as Linux numbers and names them, with their RFC 9293 names, the side that reaches
 * them and a one-line meaning. Pure data: this folder imports nothing of the project.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2 (state overview)
 * @see include/net/tcp_states.h (Linux numbering, 1 to 11)
 */

/** The Linux identifiers, in kernel order (code 1 to 11). */
export const TCP_STATES = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
] as const;

export type TcpState = (typeof TCP_STATES)[number];

/** Which end of a connection passes through a state on the usual paths. */
export type Side = 'client' | 'server' | 'both';

export interface StateInfo {
  readonly name: TcpState;
  /** Kernel code, as in /proc/net/tcp's `st` column and netlink's idiag_state. */
  readonly code: number;
  /** RFC 9293 name (`SYN-RECEIVED`). */
  readonly rfc: string;
  readonly side: Side;
  readonly en: string;
  readonly zh: string;
}

const info = (name: TcpState, rfc: string, side: Side, en: string, zh: string): StateInfo => ({
  name,
  code: TCP_STATES.indexOf(name) + 1,
  rfc,
  side,
  en,
  zh,
});

/** Every state, in kernel order. */
export const STATE_INFO: readonly StateInfo[] = [
  info(
    'ESTABLISHED',
    'ESTABLISHED',
    'both',
    'Handshake done: both directions are open and data flows.',
    '三次握手已完成，双向都可收发数据。',
  ),
  info(
    'SYN_SENT',
    'SYN-SENT',
    'client',
    'connect() sent a SYN and waits for the SYN+ACK.',
    'connect() 已发出 SYN，正在等对方回 SYN+ACK。',
  ),
  info(
    'SYN_RECV',
    'SYN-RECEIVED',
    'server',
    'A SYN arrived and was answered with SYN+ACK; the final ACK has not come yet.',
    '收到 SYN 并已回 SYN+ACK，还在等握手的最后一个 ACK。',
  ),
  info(
    'FIN_WAIT1',
    'FIN-WAIT-1',
    'both',
    'We closed first and sent a FIN that the peer has not acknowledged yet.',
    '本端先关闭，已发 FIN，对方尚未确认。',
  ),
  info(
    'FIN_WAIT2',
    'FIN-WAIT-2',
    'both',
    'Our FIN is acknowledged; we wait for the peer to close its side.',
    '本端的 FIN 已被确认，等对方也关闭并发来 FIN。',
  ),
  info(
    'TIME_WAIT',
    'TIME-WAIT',
    'both',
    'Both sides closed; the end that closed first waits 2MSL (60 s on Linux) before forgetting the connection.',
    '双方都已关闭；先关闭的一端再等 2MSL（Linux 固定 60 秒）才释放这条连接。',
  ),
  info(
    'CLOSE',
    'CLOSED',
    'both',
    'No connection: a socket not yet connected, or one already torn down.',
    '没有连接：套接字尚未连接，或连接已彻底拆除。',
  ),
  info(
    'CLOSE_WAIT',
    'CLOSE-WAIT',
    'both',
    'The peer closed its side; the local program has not called close() yet.',
    '对方已关闭；本地程序还没有调用 close()。',
  ),
  info(
    'LAST_ACK',
    'LAST-ACK',
    'both',
    'The peer closed first, then we closed; we wait for the ACK of our FIN.',
    '对方先关闭，本端随后也关闭，正在等对方确认本端的 FIN。',
  ),
  info(
    'LISTEN',
    'LISTEN',
    'server',
    'A listening socket waiting for connection requests.',
    '监听套接字，等待连接请求。',
  ),
  info(
    'CLOSING',
    'CLOSING',
    'both',
    'Both sides sent a FIN at once (simultaneous close); we wait for the ACK of ours.',
    '双方同时发出 FIN（同时关闭），正在等对方确认本端的 FIN。',
  ),
];

const BY_NAME = new Map<TcpState, StateInfo>(STATE_INFO.map((s) => [s.name, s]));

/** The description of a state. */
export function stateInfo(state: TcpState): StateInfo {
  return BY_NAME.get(state)!;
}

/** The state with kernel code `code` (1 to 11), or undefined. */
export function stateFromCode(code: number): TcpState | undefined {
  return TCP_STATES[code - 1];
}

/** The kernel code of a state (1 to 11). */
export function stateCode(state: TcpState): number {
  return TCP_STATES.indexOf(state) + 1;
}
