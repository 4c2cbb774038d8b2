/**
 * Closing sockets as `ss -K` does: SOCK_DESTROY with the exact id (4-tuple, interface and cookie) a
 * dump gave, one request at a time, each answered by an acknowledgement carrying 0 or an errno. The
 * kernel aborts the connection (tcp_abort: the peer gets a RST, the program ECONNABORTED). Needs
 * CAP_NET_ADMIN and a kernel built with CONFIG_INET_DIAG_DESTROY (EOPNOTSUPP otherwise).
 * @see net/ipv4/inet_diag.c inet_diag_cmd_exact(), net/ipv4/tcp.c tcp_abort()
 */
import { LITTLE_ENDIAN } from './dump.js';
import { newStatus, walkDatagram } from './parse.js';
import { destroyRequest } from './request.js';
import type { DiagSocket } from './socket.js';

/** Closes each socket; returns 0 or the errno for each, in order. */
export function destroySockets(
  sock: DiagSocket,
  targets: readonly { family: 4 | 6; id: Uint8Array }[],
): number[] {
  return targets.map((t, i) => {
    sock.send(destroyRequest(t.family, t.id, i + 1, LITTLE_ENDIAN));
    const status = newStatus();
    while (!status.done) {
      const d = sock.recvOne();
      if (d.length === 0) return 5; // EIO: no answer
      walkDatagram(d, LITTLE_ENDIAN, status, () => {});
    }
    return status.error ?? 0;
  });
}
