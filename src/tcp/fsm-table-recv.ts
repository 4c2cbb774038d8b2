/**
 * The table's columns for received segments, state by state, in the order RFC 9293 checks them.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7 (SEGMENT ARRIVES)
 * @see https://www.rfc-editor.org/rfc/rfc5961 (challenge ACKs for RST and SYN)
 * @see net/ipv4/tcp_input.c tcp_rcv_state_process(), tcp_validate_incoming(), tcp_rcv_synsent_state_process()
 * @see net/ipv4/tcp_minisocks.c tcp_check_req() (request sockets), tcp_timewait_state_process()
 */
import { go, type Row, stay } from './_fsm-outcome.js';
import type { TcpState } from './states.js';

const RST_REPLY_CLOSED = stay('no connection here: answer with RST', '3.10.7.1', {
  send: ['RST-reply'],
  anomaly: 'no-socket',
});

/** CLOSED: everything but an RST is answered with an RST (section 3.10.7.1). */
const CLOSE_ROW: Row = {
  rst: stay('RST to a closed port: dropped', '3.10.7.1'),
  syn: RST_REPLY_CLOSED,
  'syn-ack': RST_REPLY_CLOSED,
  ack: RST_REPLY_CLOSED,
  'no-ack': RST_REPLY_CLOSED,
};

const LISTEN_ROW: Row = {
  rst: stay('RST to a listener: dropped', '3.10.7.2'),
  'bad-ack': stay('ACK to a listener: nothing was sent, answer with RST', '3.10.7.2', {
    send: ['RST-reply'],
    anomaly: 'bad-ack',
    linux: 'unless it carries a valid SYN cookie (tcp_v4_cookie_check), which makes an ESTABLISHED child',
  }),
  syn: go('SYN_RECV', 'SYN: answer SYN+ACK, the connection is half-open', '3.10.7.2', {
    send: ['SYN-ACK'],
    linux:
      'the listener stays LISTEN; a request socket, shown as SYN_RECV, carries the connection (tcp_conn_request)',
  }),
  'no-ack': stay('neither SYN nor ACK nor RST: dropped', '3.10.7.2'),
};

const SYN_SENT_ROW: Row = {
  'bad-ack': stay('the ACK does not acknowledge our SYN: answer with RST', '3.10.7.3', {
    send: ['RST-reply'],
    anomaly: 'bad-ack',
  }),
  rst: go('CLOSE', 'RST acknowledging our SYN: connection refused', '3.10.7.3', {
    anomaly: 'connection-refused',
  }),
  'rst-inexact': stay('RST that does not acknowledge our SYN: dropped', '3.10.7.3', {
    linux: 'tcp_rcv_synsent_state_process() discards it',
  }),
  'syn-ack': go('ESTABLISHED', 'SYN+ACK acknowledging our SYN: send ACK, connected', '3.10.7.3', {
    send: ['ACK'],
  }),
  syn: go('SYN_RECV', 'SYN crossing ours (simultaneous open): answer SYN+ACK', '3.10.7.3', {
    send: ['SYN-ACK'],
    linux: 'the same socket moves to SYN_RECV; no request socket',
  }),
  ack: stay('ACK without SYN while connecting: dropped', '3.10.7.3'),
  'no-ack': stay('neither SYN nor RST while connecting: dropped', '3.10.7.3'),
};

const CHALLENGE_RST = stay(
  'RST in the window but not at RCV.NXT: answer with a challenge ACK',
  'RFC 5961 3.2',
  {
    send: ['challenge-ACK'],
    anomaly: 'challenge-ack',
    linux: 'tcp_validate_incoming(): tcp_send_challenge_ack()',
  },
);
const CHALLENGE_SYN = stay('SYN on a synchronized connection: answer with a challenge ACK', 'RFC 5961 4.2', {
  send: ['challenge-ACK'],
  anomaly: 'challenge-ack',
  linux: 'tcp_validate_incoming(): tcp_send_challenge_ack()',
});
const RESET = go('CLOSE', 'RST at RCV.NXT: the connection is reset', '3.10.7.4', {
  anomaly: 'connection-reset',
});
const ACK_IT = (why: string) => stay(why, '3.10.7.4', { send: ['ACK'] });
const IGNORE_TEXT = stay('data after the peer FIN: should not occur, ignored', '3.10.7.4');

/** Defaults of the synchronized states (SYN_RECV to TIME_WAIT), section 3.10.7.4. */
const SYNCED: Row = {
  rst: RESET,
  'rst-inexact': CHALLENGE_RST,
  'rst-outside': stay('RST outside the window: dropped', '3.10.7.4'),
  syn: CHALLENGE_SYN,
  'syn-dup': CHALLENGE_SYN,
  'bad-ack': ACK_IT('ACK of data not yet sent: send ACK, drop'),
  'outside-window': ACK_IT('segment outside the receive window (a duplicate): send ACK, drop'),
  'no-ack': stay('no ACK bit: dropped', '3.10.7.4'),
  ack: stay('ACK: SND.UNA advances', '3.10.7.4'),
  data: ACK_IT('data: queue it for the program, send ACK'),
  'out-of-order': stay('segment beyond a hole: keep it for later, send a duplicate ACK', '3.10.7.4', {
    send: ['ACK'],
    linux: 'tcp_data_queue_ofo()',
  }),
};

const SYN_RECV_ROW: Row = {
  ...SYNCED,
  rst: go('CLOSE', 'RST in SYN_RECV after a simultaneous open: the connection is reset', '3.10.7.4', {
    anomaly: 'connection-reset',
    linux: 'tcp_reset(): ECONNREFUSED only in SYN_SENT; in SYN_RECV the error is ECONNRESET',
    passive: {
      to: 'LISTEN',
      why: 'RST in SYN_RECV: the half-open connection is dropped, back to LISTEN',
      rfc: '3.10.7.4',
      anomaly: 'rst-in-syn-recv',
      linux: 'tcp_check_req() frees the request socket; the listener never left LISTEN',
    },
  }),
  'rst-inexact': {
    ...CHALLENGE_RST,
    passive: {
      to: 'LISTEN',
      why: 'RST in the window: the half-open connection is dropped, back to LISTEN',
      rfc: '3.10.7.4',
      anomaly: 'rst-in-syn-recv',
      linux: 'tcp_check_req() accepts any RST in the window (tcp_in_window), no RFC 5961 exactness',
    },
  },
  syn: {
    ...CHALLENGE_SYN,
    passive: {
      to: 'LISTEN',
      why: 'a different SYN for a half-open connection: answer RST, drop it, back to LISTEN',
      rfc: '3.10.7.4',
      send: ['RST-reply'],
      anomaly: 'syn-in-syn-recv',
      linux: 'tcp_check_req(): embryonic reset',
    },
  },
  'syn-dup': stay('the peer retransmitted its SYN (our SYN+ACK was lost): send SYN+ACK again', '3.10.7.4', {
    send: ['SYN-ACK'],
    linux: 'tcp_check_req(): inet_rtx_syn_ack()',
  }),
  'syn-ack': go('ESTABLISHED', "simultaneous open: the peer's SYN+ACK acknowledges our SYN", '3.5', {
    send: ['ACK'],
    linux: 'tcp_validate_incoming() lets this SYN+ACK pass instead of a challenge ACK',
    passive: {
      to: 'LISTEN',
      why: 'SYN+ACK to a half-open passive connection: answer RST, drop it, back to LISTEN',
      rfc: '3.10.7.4',
      send: ['RST-reply'],
      anomaly: 'syn-in-syn-recv',
      linux: 'tcp_check_req(): embryonic reset',
    },
  }),
  'bad-ack': stay('ACK that does not acknowledge our SYN: answer with RST', '3.10.7.4', {
    send: ['RST-reply'],
    anomaly: 'bad-ack',
    linux: 'tcp_check_req() returns the listener, which resets; the request socket stays',
  }),
  'ack-of-syn': go('ESTABLISHED', 'ACK of our SYN: the handshake is complete', '3.10.7.4', {
    linux: 'tcp_check_req() turns the request socket into a child, queued for accept()',
  }),
  fin: go('CLOSE_WAIT', 'FIN: the peer closed its side', '3.10.7.4', { send: ['ACK'] }),
};

const PEER_FIN = go(
  'CLOSE_WAIT',
  'FIN: the peer closed its side; send ACK, tell the program (end of file)',
  '3.10.7.4',
  {
    send: ['ACK'],
  },
);

const FIN_WAIT1_ROW: Row = {
  ...SYNCED,
  'ack-of-fin': go('FIN_WAIT2', 'ACK of our FIN: our side is closed, wait for the peer FIN', '3.10.7.4', {
    linux: 'for an orphan a timewait socket takes over in substate FIN_WAIT2 (tcp_fin_timeout)',
  }),
  'data-after-close': go(
    'CLOSE',
    'data after the program closed: nobody will read it, RST',
    'RFC 1122 4.2.2.13',
    {
      send: ['RST'],
      anomaly: 'abort-on-data',
      linux: 'tcp_rcv_state_process(): TCPAbortOnData; RFC 9293 would accept the data',
    },
  ),
  fin: go('CLOSING', 'FIN before the ACK of ours (simultaneous close): send ACK', '3.10.7.4', {
    send: ['ACK'],
  }),
};

const FIN_WAIT2_ROW: Row = {
  ...SYNCED,
  'data-after-close': FIN_WAIT1_ROW['data-after-close']!,
  fin: go('TIME_WAIT', 'the peer FIN: send ACK, wait 2MSL', '3.10.7.4', {
    send: ['ACK'],
    linux: 'TIME_WAIT lasts TCP_TIMEWAIT_LEN, 60 s, in a timewait socket',
  }),
};

const AFTER_PEER_FIN: Row = {
  ...SYNCED,
  data: IGNORE_TEXT,
  'out-of-order': IGNORE_TEXT,
  fin: ACK_IT('FIN again: send ACK'),
};

const TIME_WAIT_ROW: Row = {
  ...AFTER_PEER_FIN,
  rst: go('CLOSE', 'RST in TIME_WAIT ends it early (TIME-WAIT assassination)', '3.10.7.4', {
    anomaly: 'time-wait-assassination',
    linux: 'tcp_timewait_state_process() kills the timewait socket unless net.ipv4.tcp_rfc1337=1',
  }),
  'rst-inexact': stay('RST not at RCV.NXT in TIME_WAIT: dropped', '3.10.7.4', {
    linux: 'timewait sockets send no challenge ACK',
  }),
  syn: stay(
    'SYN beyond RCV.NXT (or with a newer timestamp) in TIME_WAIT with no listener: send ACK, stay',
    '3.10.7.4',
    {
      send: ['ACK'],
      linux:
        'tcp_timewait_state_process() returns TCP_TW_SYN; tcp_v4_rcv() finds no listener and falls through to TCP_TW_ACK: the timewait socket ACKs and stays',
      passive: {
        to: 'SYN_RECV',
        why: 'SYN beyond RCV.NXT in TIME_WAIT: a new incarnation of the connection, answer SYN+ACK',
        rfc: '3.10.7.4',
        send: ['SYN-ACK'],
        anomaly: 'time-wait-reuse',
        linux: 'TCP_TW_SYN: the listener takes the SYN (RFC 6191 allows it with timestamps)',
      },
    },
  ),
  'syn-dup': ACK_IT('an old SYN in TIME_WAIT: send ACK'),
  'outside-window': stay('a retransmitted FIN (our ACK was lost): send ACK, restart 2MSL', '3.10.7.4', {
    send: ['ACK'],
    restart: 'time-wait',
  }),
  fin: stay('FIN in TIME_WAIT: send ACK, restart 2MSL', '3.10.7.4', { send: ['ACK'], restart: 'time-wait' }),
};

export const RECV_ROWS: Readonly<Record<TcpState, Row>> = {
  CLOSE: CLOSE_ROW,
  LISTEN: LISTEN_ROW,
  SYN_SENT: SYN_SENT_ROW,
  SYN_RECV: SYN_RECV_ROW,
  ESTABLISHED: { ...SYNCED, fin: PEER_FIN },
  FIN_WAIT1: FIN_WAIT1_ROW,
  FIN_WAIT2: FIN_WAIT2_ROW,
  CLOSE_WAIT: AFTER_PEER_FIN,
  CLOSING: {
    ...AFTER_PEER_FIN,
    'ack-of-fin': go('TIME_WAIT', 'ACK of our FIN after a simultaneous close: wait 2MSL', '3.10.7.4'),
  },
  LAST_ACK: {
    ...AFTER_PEER_FIN,
    'ack-of-fin': go(
      'CLOSE',
      'ACK of our FIN: the connection is gone (no TIME_WAIT for the passive closer)',
      '3.10.7.4',
    ),
  },
  TIME_WAIT: TIME_WAIT_ROW,
};
