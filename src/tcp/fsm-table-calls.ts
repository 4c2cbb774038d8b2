/**
 * The table's columns for the program's calls, state by state.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.10.1 (OPEN) to 3.10.5 (ABORT)
 * @see net/ipv4/tcp.c tcp_close(), tcp_shutdown(), tcp_disconnect(); net/ipv4/af_inet.c inet_shutdown()
 */
import { go, type Row, stay } from './_fsm-outcome.js';
import type { TcpState } from './states.js';

const EINVAL = stay('listen() on a socket that is not closed fails (EINVAL)', '3.10.1', {
  anomaly: 'call-error',
});
const EISCONN = stay('connect() on a connected socket fails (EISCONN)', '3.10.1', { anomaly: 'call-error' });
const EPIPE = stay('send() after our side was shut fails (EPIPE): "connection closing"', '3.10.2', {
  anomaly: 'call-error',
});
const READ = stay('read() returns received data; after the peer FIN and the data, end of file', '3.10.3');
const SEND = stay('send() queues data and sends it', '3.10.2', { send: ['data'] });
const RESET_UNREAD = go(
  'CLOSE',
  'close() with received data the program never read: RST instead of FIN, data lost',
  'RFC 1122 4.2.2.13',
  {
    send: ['RST'],
    anomaly: 'abort-on-close',
    linux: 'tcp_close(): data_was_unread, TCPAbortOnClose; RFC 9293 would send FIN',
  },
);
const ABORT_RST = go('CLOSE', 'abort(): send RST, forget the connection', '3.10.5', {
  send: ['RST'],
  anomaly: 'abort-by-program',
  linux: 'close() with SO_LINGER 0: tcp_disconnect() resets in states tcp_need_reset() lists',
});
const ABORT_QUIET = go('CLOSE', 'abort(): forget the connection, nothing to reset', '3.10.5');
const SHUT_AGAIN = stay('shutdown() again: our FIN is already queued or sent', '3.10.4');
const CLOSE_AGAIN = (s: TcpState) =>
  go(s, 'close(): the FIN is already out; the socket becomes an orphan the kernel finishes', '3.10.4', {
    linux: `tcp_close() sets ${s} again: the tracepoint shows ${s} to ${s}`,
  });

/** Calls in states with a connection (SYN_RECV and after). */
const SYNCED: Row = {
  listen: EINVAL,
  connect: EISCONN,
  send: EPIPE,
  read: READ,
  'close-unread': RESET_UNREAD,
  shutdown: SHUT_AGAIN,
  abort: ABORT_RST,
};

export const CALL_ROWS: Readonly<Record<TcpState, Row>> = {
  CLOSE: {
    listen: go('LISTEN', 'listen(): passive open', '3.10.1'),
    connect: go('SYN_SENT', 'connect(): active open, send SYN', '3.10.1', { send: ['SYN'] }),
    send: stay('send() without a connection fails', '3.10.2', {
      anomaly: 'call-error',
      linux: 'EPIPE (sk_stream_wait_connect)',
    }),
    read: stay('read() without a connection: nothing to read', '3.10.3'),
    close: stay('close(): no connection, the socket is released', '3.10.4'),
    'close-unread': stay('close(): the connection is already gone, so is its data', '3.10.4'),
    shutdown: stay('shutdown() without a connection fails (ENOTCONN)', '3.10.4', { anomaly: 'call-error' }),
    abort: stay('abort() without a connection: nothing to do', '3.10.5'),
  },
  LISTEN: {
    listen: stay('listen() again only changes the backlog', '3.10.1'),
    connect: stay('connect() on a listening socket', '3.10.1', {
      anomaly: 'call-error',
      linux: 'Linux fails with EISCONN; RFC 9293 allows LISTEN to SYN-SENT on an active OPEN or SEND',
    }),
    send: stay('send() on a listening socket', '3.10.2', {
      anomaly: 'call-error',
      linux: 'Linux fails with EPIPE; RFC 9293 would send a SYN and go to SYN-SENT',
    }),
    read: stay('read() on a listening socket fails (ENOTCONN)', '3.10.3', { anomaly: 'call-error' }),
    close: go('CLOSE', 'close() of the listener', '3.10.4', {
      linux: 'inet_csk_listen_stop(): request sockets are dropped, unaccepted children reset',
    }),
    'close-unread': go('CLOSE', 'close() of the listener', '3.10.4'),
    shutdown: stay('shutdown(SHUT_WR) on a listener does nothing', '3.10.4', { linux: 'inet_shutdown()' }),
    abort: ABORT_QUIET,
  },
  SYN_SENT: {
    listen: EINVAL,
    connect: stay('connect() again while connecting fails (EALREADY)', '3.10.1', { anomaly: 'call-error' }),
    send: stay('send() before the handshake completes waits for it', '3.10.2', {
      linux: 'sk_stream_wait_connect(), or EAGAIN when non-blocking; RFC 9293 queues the data',
    }),
    read: stay('read() before the handshake completes waits', '3.10.3'),
    close: go('CLOSE', 'close() while connecting: forget the connection, send nothing', '3.10.4'),
    'close-unread': go('CLOSE', 'close() while connecting: forget the connection', '3.10.4'),
    shutdown: go('CLOSE', 'shutdown() while connecting gives up the connection', '3.10.4', {
      linux: 'inet_shutdown() disconnects a SYN_SENT socket',
    }),
    abort: go('CLOSE', 'abort() while connecting: no RST, the peer knows of nothing yet', '3.10.5'),
  },
  SYN_RECV: {
    ...SYNCED,
    send: stay('send() before the handshake completes waits for it', '3.10.2'),
    close: go('FIN_WAIT1', 'close() in SYN_RECV: send FIN', '3.10.4', {
      send: ['FIN'],
      passive: {
        to: 'CLOSE',
        why: 'the listener closed: its half-open connections are dropped',
        rfc: '3.10.4',
        linux: 'a request socket has no program of its own: inet_csk_listen_stop() drops it',
      },
    }),
    shutdown: go('FIN_WAIT1', 'shutdown(SHUT_WR) in SYN_RECV: send FIN', '3.10.4', {
      send: ['FIN'],
      passive: {
        why: "a half-open connection is not yet the program's socket: nothing to shut down",
        rfc: '3.10.4',
        anomaly: 'call-error',
        linux: 'a request socket has no file descriptor until accept()',
      },
    }),
  },
  ESTABLISHED: {
    ...SYNCED,
    send: SEND,
    close: go('FIN_WAIT1', 'close(): active close, send FIN', '3.10.4', { send: ['FIN'] }),
    shutdown: go('FIN_WAIT1', 'shutdown(SHUT_WR): half-close, send FIN, keep reading', '3.6.1', {
      send: ['FIN'],
    }),
  },
  CLOSE_WAIT: {
    ...SYNCED,
    send: stay('send() in CLOSE_WAIT: the peer closed only its side, ours is still open', '3.10.2', {
      send: ['data'],
    }),
    close: go('LAST_ACK', 'close() after the peer closed: passive close, send FIN', '3.10.4', {
      send: ['FIN'],
    }),
    shutdown: go('LAST_ACK', 'shutdown(SHUT_WR) after the peer closed: send FIN', '3.10.4', {
      send: ['FIN'],
    }),
  },
  FIN_WAIT1: { ...SYNCED, close: CLOSE_AGAIN('FIN_WAIT1') },
  FIN_WAIT2: {
    ...SYNCED,
    close: go(
      'FIN_WAIT2',
      'close() after shutdown(): the socket becomes an orphan, its FIN_WAIT2 timer starts',
      '3.10.4',
      {
        linux: 'tcp_close() sets FIN_WAIT2 again (traced FIN_WAIT2 to FIN_WAIT2) and arms tcp_fin_timeout',
      },
    ),
  },
  CLOSING: { ...SYNCED, close: CLOSE_AGAIN('CLOSING'), abort: ABORT_QUIET },
  LAST_ACK: { ...SYNCED, close: CLOSE_AGAIN('LAST_ACK'), abort: ABORT_QUIET },
  TIME_WAIT: {
    ...SYNCED,
    read: stay('read() in TIME_WAIT: end of file', '3.10.3'),
    close: stay('close() in TIME_WAIT: the program is long gone', '3.10.4', {
      linux: 'a timewait socket has no file descriptor: no program can call anything on it',
    }),
    'close-unread': stay('close() in TIME_WAIT: nothing left to reset', '3.10.4'),
    abort: stay('abort() in TIME_WAIT: no program holds the timewait socket', '3.10.5'),
  },
};
