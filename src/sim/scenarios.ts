/**
 * The built-in scenarios, written in the scenario language (see script.ts), by id.
 * `tcpscope simulate --list` lists them; `tcpscope simulate ID --print` shows one's script.
 */
import { parseScript } from './script.js';
import type { Scenario } from './types.js';

const OPEN = `at 0 server listen
at 0 client connect`;

const SCRIPTS: Readonly<Record<string, string>> = {
  'three-way-handshake': `title Three-way handshake
about SYN, SYN+ACK, ACK: both ends end ESTABLISHED, each having seen the other's initial sequence number.
about On Linux the listener itself stays in LISTEN: a request socket (shown as SYN_RECV) carries the
about half-open connection and becomes the socket accept() returns.
at 0 server listen
at 5ms client connect`,

  refused: `title Connection refused
about Nothing listens on the port: the server's kernel answers the SYN with RST+ACK, and connect()
about fails at once with ECONNREFUSED. (A firewall that drops the SYN instead makes connect() wait for
about its SYN retries, about 2 minutes on Linux.)
at 0 client connect`,

  'simultaneous-open': `title Simultaneous open
about Both ends connect() to each other at the same moment (RFC 9293 Figure 8). Each SYN crosses the
about other: both go SYN_SENT, then SYN_RECV, and answer with SYN+ACK; each SYN+ACK acknowledges the
about other's SYN, and both reach ESTABLISHED with no listener at all.
at 0 client connect
at 0 server connect`,

  'normal-close': `title Normal close
about The client closes first (the active closer): FIN_WAIT1, FIN_WAIT2 once its FIN is acknowledged,
about TIME_WAIT when the server's FIN arrives. The server sits in CLOSE_WAIT until its program calls
about close(), then LAST_ACK until the client acknowledges its FIN. TIME_WAIT lasts 60 s on Linux.
${OPEN}
at 100ms client send 100
at 200ms client close
at 300ms server close`,

  'simultaneous-close': `title Simultaneous close
about Both programs call close() at the same moment. Each FIN crosses the other: each end, in
about FIN_WAIT1, receives a FIN that does not acknowledge its own. That is CLOSING: "we both said
about goodbye, I wait for my goodbye to be acknowledged". When the ACKs arrive, both ends go to
about TIME_WAIT (not only the one that closed first, as in a normal close) and both wait 60 s.
${OPEN}
at 100ms client close
at 100ms server close`,

  'half-close': `title Half-close
about shutdown(SHUT_WR) sends a FIN but keeps the socket open for reading: the client says "no more
about requests" and still receives the whole answer. The server reads end of file in CLOSE_WAIT, sends
about its data, then closes. The client's FIN_WAIT2 is not an orphan: it has no timeout.
${OPEN}
at 100ms client send 100
at 110ms client shutdown
at 200ms server send 1000
at 300ms server send 1000
at 400ms server close`,

  'lost-final-ack': `title Lost final ACK
about The active closer's last ACK is lost. The server, in LAST_ACK, retransmits its FIN. The client,
about in TIME_WAIT, still knows the connection: it acknowledges the FIN again and restarts its 2MSL
about timer. Had the client forgotten the connection, the retransmitted FIN would meet a closed port
about and get an RST, and the server would report an error for a connection that closed fine: this
about is why TIME_WAIT exists (and why it is the active closer that keeps it).
${OPEN}
at 100ms client close
at 200ms server close
at 200ms lose client ACK`,

  'lost-syn-ack': `title Lost SYN+ACK
about The server's SYN+ACK is lost. Both ends wait out their first retransmission timeout (1 s on
about Linux, TCP_TIMEOUT_INIT): the server resends its SYN+ACK, the client its SYN, which the server
about answers with one more SYN+ACK. The first SYN+ACK to arrive completes the handshake. The second
about finds the client ESTABLISHED, where a SYN is answered with a challenge ACK (RFC 5961, as Linux
about does); the server, ESTABLISHED by then, takes it as a duplicate ACK and nothing changes.
${OPEN}
lose server SYN+ACK`,

  'rst-established': `title RST on an established connection
about An RST counts only at exactly the expected sequence number: a blind RST with a guessed one
about gets a challenge ACK instead (RFC 5961, as Linux does). Then the server aborts for real
about (close() with SO_LINGER 0): RST, no FIN, no TIME_WAIT; the client's next call fails with ECONNRESET.
${OPEN}
at 100ms note an attacker sends the client an RST with a guessed sequence number
at 100ms inject client RST seq=12345
at 200ms server abort`,

  'old-duplicate-syn': `title Old duplicate SYN
about RFC 9293 Figure 9: a SYN from an earlier incarnation of the connection, delayed in the network,
about reaches the server before the client's real SYN. The server answers it; the client sees a SYN+ACK
about acknowledging a SYN it never sent and answers with RST; the server, in SYN_RECV, drops the
about half-open connection and returns to LISTEN, ready for the real SYN.
at 0 server listen
at 0 client connect
delay client SYN 30ms
at 0 inject server SYN seq=90`,

  'syn-flood': `title SYN flood
about Spoofed SYNs fill a listener's queue of half-open connections (backlog 4 here). Their SYN+ACKs
about go to addresses where nobody answers, so each request sits in SYN_RECV through its SYN+ACK
about retries (2 here, 5 by default). SYN cookies are off: the real client's SYNs are dropped until
about the requests time out. Linux sends cookies when the queue overflows (net.ipv4.tcp_syncookies=1):
about see syn-flood-cookies.
set server.backlog 4
set server.syncookies off
set server.synackRetries 2
at 0 server listen
at 10ms inject server SYN seq=1000 from 198.51.100.1:1001
at 10ms inject server SYN seq=2000 from 198.51.100.2:1002
at 10ms inject server SYN seq=3000 from 198.51.100.3:1003
at 10ms inject server SYN seq=4000 from 198.51.100.4:1004
at 20ms inject server SYN seq=5000 from 198.51.100.5:1005
at 50ms client connect`,

  'syn-flood-cookies': `title SYN flood, with SYN cookies
about The same flood as syn-flood, with Linux's default net.ipv4.tcp_syncookies=1: once the queue is
about full, the listener answers a SYN with a SYN+ACK whose sequence number encodes the connection
about (a cookie) and keeps no state. The client's ACK brings the cookie back, and the connection is
about made ESTABLISHED directly, never having been SYN_RECV.
set server.backlog 4
set server.synackRetries 2
at 0 server listen
at 10ms inject server SYN seq=1000 from 198.51.100.1:1001
at 10ms inject server SYN seq=2000 from 198.51.100.2:1002
at 10ms inject server SYN seq=3000 from 198.51.100.3:1003
at 10ms inject server SYN seq=4000 from 198.51.100.4:1004
at 50ms client connect`,

  'peer-vanishes': `title Peer vanishes
about The server's host crashes without sending anything (a power cut, a pulled cable). The client
about still believes the connection is ESTABLISHED: a half-open connection, which lasts as long as
about the client sends nothing (keepalive would find out). When it sends, its retransmissions go
about unanswered until the server is back; the restarted server knows nothing of the connection and
about answers with RST.
${OPEN}
at 100ms crash server
at 1s note the client is still ESTABLISHED: a half-open connection
at 2s client send 100
at 3s restart server`,

  'close-with-unread-data': `title Close with unread data
about The server sends a response the client program never reads; then the client closes. Linux does
about not send a FIN, which would let the server believe its data was delivered: it sends an RST
about (RFC 1122 4.2.2.13; counted as TCPAbortOnClose), and the server's next call fails with ECONNRESET.
set client.read manual
${OPEN}
at 100ms server send 500
at 200ms client close`,
};

/** Ids of the built-in scenarios, in teaching order. */
export const SCENARIO_IDS: readonly string[] = Object.keys(SCRIPTS);

/** The script of a built-in scenario, or undefined. */
export function scenarioScript(id: string): string | undefined {
  return SCRIPTS[id];
}

/** A built-in scenario, parsed, or undefined. */
export function builtinScenario(id: string): Scenario | undefined {
  const text = SCRIPTS[id];
  return text === undefined ? undefined : parseScript(text, id);
}
