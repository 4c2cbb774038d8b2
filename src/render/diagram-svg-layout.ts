/**
 * The hand-made layout of the SVG state diagram, after the classic figure (TCP/IP Illustrated's and
 * RFC 9293's): CLOSE at the top, the opening states below it, ESTABLISHED in the middle, the active
 * close on the left, the passive close on the right, the simultaneous-close CLOSING between them.
 * Every edge is a polyline with a label anchor, placed so that no two lines cross.
 */
import type { TcpState } from '../tcp/index.js';

export const BOX = { w: 150, h: 48 };
export const SIZE = { width: 1160, height: 1060 };

const L = 220;
const M = 590;
const R = 960;

/** Centres of the state boxes. */
export const STATE_XY: Readonly<Record<TcpState, readonly [number, number]>> = {
  CLOSE: [M, 150],
  LISTEN: [M, 280],
  SYN_RECV: [L, 410],
  SYN_SENT: [R, 410],
  ESTABLISHED: [M, 540],
  FIN_WAIT1: [L, 680],
  CLOSING: [M, 680],
  CLOSE_WAIT: [R, 680],
  FIN_WAIT2: [L, 830],
  TIME_WAIT: [M, 830],
  LAST_ACK: [R, 830],
};

export interface EdgeLayout {
  readonly points: readonly (readonly [number, number])[];
  /** Label anchor and alignment; `\n` in a label breaks it. */
  readonly label: readonly [number, number, 'start' | 'middle' | 'end'];
  /** Labels too long for their place break here (English and Chinese alike). */
  readonly wrap?: number;
}

/** Edge id to its drawing. */
export const EDGE_XY: Readonly<Record<string, EdgeLayout>> = {
  listen: {
    points: [
      [570, 174],
      [570, 256],
    ],
    label: [562, 220, 'end'],
  },
  'listen-close': {
    points: [
      [610, 256],
      [610, 174],
    ],
    label: [618, 220, 'start'],
  },
  connect: {
    points: [
      [665, 150],
      [940, 150],
      [940, 386],
    ],
    label: [800, 140, 'middle'],
  },
  'syn-sent-close': {
    points: [
      [1000, 386],
      [1000, 110],
      [630, 110],
      [630, 126],
    ],
    label: [1008, 250, 'start'],
    wrap: 10,
  },
  'syn-rcvd': {
    points: [
      [515, 280],
      [220, 280],
      [220, 386],
    ],
    label: [368, 270, 'middle'],
  },
  'rst-listen': {
    points: [
      [260, 386],
      [260, 298],
      [515, 298],
    ],
    label: [388, 316, 'middle'],
  },
  'simultaneous-open': {
    points: [
      [885, 410],
      [295, 410],
    ],
    label: [590, 402, 'middle'],
  },
  'established-client': {
    points: [
      [960, 434],
      [960, 540],
      [665, 540],
    ],
    label: [812, 530, 'middle'],
  },
  'established-server': {
    points: [
      [260, 434],
      [260, 540],
      [515, 540],
    ],
    label: [388, 530, 'middle'],
  },
  'syn-rcvd-close': {
    points: [
      [180, 434],
      [180, 656],
    ],
    label: [172, 540, 'end'],
    wrap: 9,
  },
  'active-close': {
    points: [
      [560, 564],
      [560, 610],
      [250, 610],
      [250, 656],
    ],
    label: [405, 602, 'middle'],
  },
  'passive-close': {
    points: [
      [620, 564],
      [620, 610],
      [930, 610],
      [930, 656],
    ],
    label: [775, 602, 'middle'],
  },
  'fin-wait2': {
    points: [
      [220, 704],
      [220, 806],
    ],
    label: [228, 760, 'start'],
  },
  closing: {
    points: [
      [295, 680],
      [515, 680],
    ],
    label: [405, 672, 'middle'],
  },
  'fin-ack': {
    points: [
      [280, 704],
      [530, 806],
    ],
    label: [432, 754, 'start'],
  },
  'time-wait-client': {
    points: [
      [295, 830],
      [515, 830],
    ],
    label: [405, 822, 'middle'],
  },
  'closing-time-wait': {
    points: [
      [620, 704],
      [620, 806],
    ],
    label: [628, 760, 'start'],
  },
  'time-wait-close': {
    points: [
      [590, 854],
      [590, 920],
      [30, 920],
      [30, 150],
      [515, 150],
    ],
    label: [310, 912, 'middle'],
  },
  'last-ack': {
    points: [
      [960, 704],
      [960, 806],
    ],
    label: [952, 760, 'end'],
  },
  'last-ack-close': {
    points: [
      [1035, 830],
      [1110, 830],
      [1110, 90],
      [610, 90],
      [610, 126],
    ],
    label: [1102, 480, 'end'],
    wrap: 8,
  },
  'orphan-timeout': {
    points: [
      [145, 830],
      [60, 830],
      [60, 165],
      [515, 165],
    ],
    label: [70, 880, 'start'],
  },
};
