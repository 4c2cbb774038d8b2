/**
 * The table's columns for segments seen leaving the end (what a capture or a trace observes) and for
 * timers, state by state.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10.8 (timeouts), 3.8.3 (connection failures)
 * @see net/ipv4/tcp_timer.c tcp_write_timeout(), tcp_retransmit_timer(); net/ipv4/inet_connection_sock.c reqsk_timer_handler()
 */
import { go, type Row, stay } from './_fsm-outcome.js';
import type { TcpState } from './states.js';

const SENT_RETRANSMIT = stay('a retransmission: nothing changes', '3.8.1');
const SENT_OTHER = stay('an ACK or data leaving: nothing changes', '3.10.7.4');
const SENT_ODD = stay('this end should not send that in this state', '3.3.2', { anomaly: 'unexpected' });
const SENT_RST_ABORT = go('CLOSE', 'this end sent RST: it aborted the connection', '3.10.5');
const SENT_RST_REPLY = stay('an RST answering a stray segment: this end does not change', '3.5.2');

const RTO = stay('retransmission timeout: resend what is unacknowledged, double the timeout', '3.8.1', {
  send: ['retransmit'],
});
const STALE = (what: string) => stay(`${what} timer in a state that does not arm it: ignored`, '3.10.8');
const GIVE_UP = go('CLOSE', 'retransmission limit reached: give up the connection (ETIMEDOUT)', '3.8.3', {
  anomaly: 'timeout',
  linux: 'tcp_write_timeout(): tcp_retries2 (15), tcp_orphan_retries for orphans',
});

/** Timer columns for states that retransmit (they have something unacknowledged to resend). */
const RETRANSMITTING: Row = {
  rto: RTO,
  'rto-limit': GIVE_UP,
  'time-wait': STALE('2MSL'),
  'fin-wait2': STALE('FIN_WAIT2'),
};
const QUIET: Row = {
  rto: STALE('retransmission'),
  'rto-limit': STALE('retransmission'),
  'time-wait': STALE('2MSL'),
  'fin-wait2': STALE('FIN_WAIT2'),
};

/** Sent columns of the synchronized states where the program can still act. */
const SYNCED_SENT: Row = {
  'sent-syn': SENT_ODD,
  'sent-syn-ack': SENT_ODD,
  'sent-fin': SENT_ODD,
  'sent-rst': SENT_RST_ABORT,
  'sent-other': SENT_OTHER,
};

export const OTHER_ROWS: Readonly<Record<TcpState, Row>> = {
  CLOSE: {
    ...QUIET,
    'sent-syn': go('SYN_SENT', 'a SYN left: the program called connect()', '3.10.1'),
    'sent-syn-ack': SENT_ODD,
    'sent-fin': SENT_ODD,
    'sent-rst': SENT_RST_REPLY,
    'sent-other': SENT_ODD,
  },
  LISTEN: {
    ...QUIET,
    'sent-syn': stay('a SYN from a listener', '3.10.1', {
      anomaly: 'unexpected',
      linux: 'Linux never turns a listener into SYN_SENT (RFC 9293 allows it)',
    }),
    'sent-syn-ack': go('SYN_RECV', 'a SYN+ACK left: a SYN arrived that the observer missed', '3.10.7.2'),
    'sent-fin': SENT_ODD,
    'sent-rst': SENT_RST_REPLY,
    'sent-other': SENT_ODD,
  },
  SYN_SENT: {
    ...RETRANSMITTING,
    rto: stay('retransmission timeout: send the SYN again', '3.8.1', {
      send: ['retransmit'],
      linux:
        'tcp_syn_linear_timeouts (4, Linux 6.5+): the timeout stays 1 s for the first retransmissions, then doubles',
    }),
    'rto-limit': go('CLOSE', 'the SYN went unanswered too long: connect() fails (ETIMEDOUT)', '3.8.3', {
      anomaly: 'timeout',
      linux:
        'tcp_write_timeout() gives up by time: ((2 << tcp_syn_retries) - 1) s, at the next timer: 131 s with the defaults (10 retransmissions), 7 s with tcp_syn_retries=2 (5)',
    }),
    'sent-syn': SENT_RETRANSMIT,
    'sent-syn-ack': go('SYN_RECV', 'a SYN+ACK left: a crossing SYN arrived (simultaneous open)', '3.10.7.3'),
    'sent-fin': SENT_ODD,
    'sent-rst': SENT_RST_REPLY,
    'sent-other': SENT_OTHER,
  },
  SYN_RECV: {
    ...RETRANSMITTING,
    rto: stay('SYN+ACK not acknowledged: send it again', '3.8.1', {
      send: ['retransmit'],
      linux: 'reqsk_timer_handler(): inet_rtx_syn_ack()',
    }),
    'rto-limit': go('CLOSE', 'SYN+ACK retries used up: give up the connection', '3.8.3', {
      anomaly: 'timeout',
      passive: {
        to: 'LISTEN',
        why: 'SYN+ACK retries used up: the half-open connection is dropped, back to LISTEN',
        rfc: '3.8.3',
        anomaly: 'timeout',
        linux: 'tcp_synack_retries (5): about 63 s; the request socket is freed',
      },
    }),
    ...SYNCED_SENT,
    'sent-syn-ack': SENT_RETRANSMIT,
    'sent-fin': go('FIN_WAIT1', 'a FIN left: the program closed', '3.10.4'),
    'sent-rst': {
      ...SENT_RST_ABORT,
      passive: { to: 'LISTEN', why: 'the half-open connection was reset, back to LISTEN', rfc: '3.10.7.4' },
    },
  },
  ESTABLISHED: {
    ...RETRANSMITTING,
    ...SYNCED_SENT,
    'sent-fin': go('FIN_WAIT1', 'a FIN left: the program closed or shut down its side', '3.10.4'),
  },
  CLOSE_WAIT: {
    ...RETRANSMITTING,
    ...SYNCED_SENT,
    'sent-fin': go('LAST_ACK', 'a FIN left after the peer FIN: passive close', '3.10.4'),
  },
  FIN_WAIT1: { ...RETRANSMITTING, ...SYNCED_SENT, 'sent-fin': SENT_RETRANSMIT },
  FIN_WAIT2: {
    ...QUIET,
    ...SYNCED_SENT,
    'fin-wait2': go('CLOSE', 'orphaned FIN_WAIT2 timed out: the peer never sent its FIN', '3.10.8', {
      anomaly: 'orphan-timeout',
      linux: 'tcp_fin_timeout (60 s) for orphans; RFC 9293 has no such timer, FIN-WAIT-2 may last forever',
    }),
  },
  CLOSING: { ...RETRANSMITTING, ...SYNCED_SENT, 'sent-fin': SENT_RETRANSMIT },
  LAST_ACK: { ...RETRANSMITTING, ...SYNCED_SENT, 'sent-fin': SENT_RETRANSMIT },
  TIME_WAIT: {
    ...QUIET,
    ...SYNCED_SENT,
    'time-wait': go('CLOSE', '2MSL elapsed: the connection is forgotten', '3.10.8', {
      linux: 'TCP_TIMEWAIT_LEN, a fixed 60 s (RFC 9293: 2MSL, 4 minutes)',
    }),
  },
};
