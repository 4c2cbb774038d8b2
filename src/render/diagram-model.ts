/**
 * The state diagram as data: every transition drawn, which path it belongs to (the client's, solid;
 * the server's, dashed; the others; Linux's own), its label in English and Chinese, and the event
 * class of the transition table that makes it (a test checks each against the table). The layouts
 * (SVG, text) are laid out by hand in their own files, keyed by edge id.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.3.2 (Figure 5)
 */
import type { EventClass, TcpState } from '../tcp/index.js';

export type PathKind = 'client' | 'server' | 'other' | 'linux';
export type Lang = 'en' | 'zh';
/** Which transitions a figure shows: one path, both classic paths, or every transition. */
export type PathChoice = 'client' | 'server' | 'both' | 'all';

export interface DiagramEdge {
  readonly id: string;
  readonly from: TcpState;
  readonly to: TcpState;
  readonly path: PathKind;
  readonly label: Readonly<Record<Lang, string>>;
  /** The event of the transition table that makes it (`fin+ack-of-fin`: one segment of two classes). */
  readonly cause: EventClass | 'ack-of-fin+fin';
  /** The end comes from LISTEN (a passive open) for this transition. */
  readonly passive?: true;
}

const e = (
  id: string,
  from: TcpState,
  to: TcpState,
  path: PathKind,
  cause: DiagramEdge['cause'],
  en: string,
  zh: string,
  passive?: true,
): DiagramEdge => ({ id, from, to, path, cause, label: { en, zh }, ...(passive ? { passive } : {}) });

/** Every transition the figure draws. Resets, aborts and give-ups to CLOSE from anywhere are in the legend. */
export const DIAGRAM_EDGES: readonly DiagramEdge[] = [
  e('listen', 'CLOSE', 'LISTEN', 'server', 'listen', 'passive open: listen()', '被动打开：listen()'),
  e(
    'connect',
    'CLOSE',
    'SYN_SENT',
    'client',
    'connect',
    'active open: connect() / snd SYN',
    '主动打开：connect() / 发 SYN',
  ),
  e('listen-close', 'LISTEN', 'CLOSE', 'other', 'close', 'close()', 'close()'),
  e('syn-rcvd', 'LISTEN', 'SYN_RECV', 'server', 'syn', 'rcv SYN / snd SYN+ACK', '收 SYN / 发 SYN+ACK', true),
  e('rst-listen', 'SYN_RECV', 'LISTEN', 'other', 'rst', 'rcv RST', '收 RST', true),
  e(
    'simultaneous-open',
    'SYN_SENT',
    'SYN_RECV',
    'other',
    'syn',
    'rcv SYN / snd SYN+ACK (simultaneous open)',
    '收 SYN / 发 SYN+ACK（同时打开）',
  ),
  e('syn-sent-close', 'SYN_SENT', 'CLOSE', 'other', 'close', 'close() or timeout', 'close() 或超时'),
  e(
    'established-client',
    'SYN_SENT',
    'ESTABLISHED',
    'client',
    'syn-ack',
    'rcv SYN+ACK / snd ACK',
    '收 SYN+ACK / 发 ACK',
  ),
  e(
    'established-server',
    'SYN_RECV',
    'ESTABLISHED',
    'server',
    'ack-of-syn',
    'rcv ACK of SYN',
    '收到 SYN 的 ACK',
    true,
  ),
  e('syn-rcvd-close', 'SYN_RECV', 'FIN_WAIT1', 'other', 'close', 'close() / snd FIN', 'close() / 发 FIN'),
  e(
    'active-close',
    'ESTABLISHED',
    'FIN_WAIT1',
    'client',
    'close',
    'close() / snd FIN (active close)',
    'close() / 发 FIN（主动关闭）',
  ),
  e(
    'passive-close',
    'ESTABLISHED',
    'CLOSE_WAIT',
    'server',
    'fin',
    'rcv FIN / snd ACK (passive close)',
    '收 FIN / 发 ACK（被动关闭）',
  ),
  e('fin-wait2', 'FIN_WAIT1', 'FIN_WAIT2', 'client', 'ack-of-fin', 'rcv ACK of FIN', '收到 FIN 的 ACK'),
  e('closing', 'FIN_WAIT1', 'CLOSING', 'other', 'fin', 'rcv FIN / snd ACK', '收 FIN / 发 ACK'),
  e(
    'fin-ack',
    'FIN_WAIT1',
    'TIME_WAIT',
    'other',
    'ack-of-fin+fin',
    'rcv FIN+ACK / snd ACK',
    '收 FIN+ACK / 发 ACK',
  ),
  e('time-wait-client', 'FIN_WAIT2', 'TIME_WAIT', 'client', 'fin', 'rcv FIN / snd ACK', '收 FIN / 发 ACK'),
  e('closing-time-wait', 'CLOSING', 'TIME_WAIT', 'other', 'ack-of-fin', 'rcv ACK of FIN', '收到 FIN 的 ACK'),
  e(
    'time-wait-close',
    'TIME_WAIT',
    'CLOSE',
    'client',
    'time-wait',
    '2MSL timeout (Linux: 60 s)',
    '2MSL 超时（Linux：60 秒）',
  ),
  e('last-ack', 'CLOSE_WAIT', 'LAST_ACK', 'server', 'close', 'close() / snd FIN', 'close() / 发 FIN'),
  e('last-ack-close', 'LAST_ACK', 'CLOSE', 'server', 'ack-of-fin', 'rcv ACK of FIN', '收到 FIN 的 ACK', true),
  e(
    'orphan-timeout',
    'FIN_WAIT2',
    'CLOSE',
    'linux',
    'fin-wait2',
    'orphan timeout (Linux: tcp_fin_timeout)',
    '孤儿超时（Linux：tcp_fin_timeout）',
  ),
];

/** Short Chinese names of the states, as Chinese textbooks write them. */
export const STATE_ZH: Readonly<Record<TcpState, string>> = {
  ESTABLISHED: '已建立',
  SYN_SENT: '同步已发送',
  SYN_RECV: '同步已接收',
  FIN_WAIT1: '终止等待 1',
  FIN_WAIT2: '终止等待 2',
  TIME_WAIT: '时间等待',
  CLOSE: '关闭',
  CLOSE_WAIT: '关闭等待',
  LAST_ACK: '最后确认',
  LISTEN: '监听',
  CLOSING: '同时关闭',
};

/** Words of the figure around the states and edges. */
export const DIAGRAM_TEXT: Readonly<Record<Lang, Readonly<Record<string, string>>>> = {
  en: {
    title: 'TCP state transition diagram',
    client: 'client path',
    server: 'server path',
    other: 'other transitions',
    linux: 'Linux only',
    start: 'start',
    note: 'Not drawn: an RST, abort() or the retransmission limit takes any synchronized state to CLOSE.',
    names: 'Linux state names; RFC 9293 names below.',
    counts: 'sockets now',
  },
  zh: {
    title: 'TCP 状态转换图',
    client: '客户端路径',
    server: '服务器路径',
    other: '其他转换',
    linux: '仅 Linux',
    start: '起点',
    note: '未画出：收到 RST、abort() 或重传次数用尽，任何同步状态都直接进入 CLOSE。',
    names: '状态名用 Linux 的写法，下方为中文名。',
    counts: '当前套接字数',
  },
};

/** Whether an edge belongs to the chosen path. */
export function onPath(edge: DiagramEdge, choice: PathChoice): boolean {
  if (choice === 'all') return true;
  if (choice === 'both') return edge.path === 'client' || edge.path === 'server';
  return edge.path === choice;
}

/** The states a chosen path goes through. */
export function statesOnPath(choice: PathChoice): Set<TcpState> {
  const s = new Set<TcpState>();
  for (const edge of DIAGRAM_EDGES) {
    if (onPath(edge, choice)) {
      s.add(edge.from);
      s.add(edge.to);
    }
  }
  return s;
}

/** What a figure shows: which path, socket counts, a state to highlight, the language. */
export interface DiagramOptions {
  readonly path: PathChoice;
  readonly counts?: Readonly<Partial<Record<TcpState, number>>>;
  readonly highlight?: TcpState;
  readonly lang: Lang;
}
