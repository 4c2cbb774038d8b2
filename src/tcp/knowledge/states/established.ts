/** ESTABLISHED: an open connection. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const ESTABLISHED: StateSource = {
  state: 'ESTABLISHED',
  what: t(
    'An open connection: the handshake is done and both directions can carry data. Connections spend their useful life here. The state says nothing about traffic: an ESTABLISHED connection may be busy, idle for days, or already dead at the other end.',
    '一条打开的连接：握手已经完成，双向都可以传数据。连接的有效生命基本都在这个状态里度过。这个状态本身不说明有没有流量：ESTABLISHED 的连接可能正忙，可能空闲了好几天，也可能对端早已不存在。',
  ),
  reachedBy: t(
    "Both ends. The client from SYN_SENT when the SYN+ACK arrives (it sends the handshake's last ACK); the server from SYN_RECV when that ACK arrives, as a new socket that waits in the listener's accept queue until the program calls accept(). It leaves ESTABLISHED for FIN_WAIT1 when the local program closes first (close() or shutdown() sends a FIN), for CLOSE_WAIT when the peer's FIN arrives first, and for CLOSED on a RST or a timeout.",
    '两端都会进入。客户端在 SYN_SENT 收到 SYN+ACK 时进入（同时发出握手的最后一个 ACK）；服务端在 SYN_RECV 收到这个 ACK 时进入，新套接字先在监听套接字的 accept 队列里等待，直到程序调用 accept()。本端程序先关闭（close() 或 shutdown() 发出 FIN）时转入 FIN_WAIT1；先收到对端的 FIN 时转入 CLOSE_WAIT；收到 RST 或超时则直接进入 CLOSED。',
  ),
  duration: t(
    'No limit: as long as both programs keep the connection. TCP sends nothing on an idle connection, so a peer that vanished without a FIN or RST (power loss, a pulled cable, a NAT or firewall that forgot the flow) goes unnoticed. Only these end it: data left unacknowledged, given up after net.ipv4.tcp_retries2 retransmissions (default 15, about 15 minutes) or after TCP_USER_TIMEOUT; keepalive, if the program enabled SO_KEEPALIVE (first probe after tcp_keepalive_time, 2 h, then 9 probes 75 s apart: about 2 h 11 min in all); or a timeout in the application protocol.',
    '没有上限：只要两端的程序不关，连接就一直在。空闲的连接上 TCP 什么也不发，所以对端如果没发 FIN 或 RST 就消失了（断电、拔网线、NAT 或防火墙把这条流的状态忘了），本端完全察觉不到。只有下面几种情况会结束它：有数据一直得不到确认，重传 net.ipv4.tcp_retries2 次（默认 15 次，约 15 分钟）或超过 TCP_USER_TIMEOUT 后放弃；程序开启了 SO_KEEPALIVE，保活探测失败（空闲 tcp_keepalive_time 即 2 小时后开始探测，每 75 秒一次共 9 次，合计约 2 小时 11 分钟）；或者应用层协议自己的超时。',
  ),
  why: t(
    'Many ESTABLISHED are normal for busy servers and for connection pools; look at how they are spread. Many with one peer: a client that opens a connection per request and never closes it (a leak on the client side), a pool sized too large, or a client holding slots on purpose (slowloris-style). Many that never move data: half-open connections whose peer is gone, which nothing removes without keepalive. A Recv-Q that stays high: the program stopped reading. A Send-Q that stays high: the peer is not reading or not reachable. If new clients cannot get in while the ESTABLISHED count looks fine, the limit is usually in the program (workers, a connection limit, a full accept queue), not in TCP.',
    '繁忙的服务器和连接池有大量 ESTABLISHED 很正常，关键要看它们怎么分布。集中在某一个对端：客户端每次请求都新建连接却从不关闭（客户端泄漏），连接池配得过大，或者有客户端故意占着连接不放（slowloris 式攻击）。大量连接始终没有数据往来：对端已经不在的半开连接，没有保活就不会有任何机制清理它们。Recv-Q 一直很高：程序不再读数据了。Send-Q 一直很高：对端不读数据或已经不可达。如果 ESTABLISHED 数量看着正常，新客户端却连不上，瓶颈通常在程序本身（工作线程数、连接数上限、accept 队列满），而不在 TCP。',
  ),
  settings: [
    ref('SO_KEEPALIVE', true),
    ref('tcp_keepalive_time', true),
    ref('tcp_keepalive_intvl', true),
    ref('tcp_keepalive_probes', true),
    ref('tcp_retries2', true),
    ref('TCP_USER_TIMEOUT', true),
  ],
  commands: [
    cmd('tcpscope count --by peer -s established', 'which peers hold the connections', '连接集中在哪些对端'),
    cmd('tcpscope count --by process -s established', 'which programs hold them', '连接属于哪些程序'),
    cmd(
      'tcpscope ls -s established -p -o --sort recvq --reverse',
      'the connections with the most unread data first, with timers',
      '按未读数据量从多到少列出连接，并显示定时器',
    ),
    cmd(
      'ss -tnoi state established',
      'keepalive timers and tcp_info (lastrcv: ms since data last arrived)',
      '查看保活定时器和 tcp_info（lastrcv：距上次收到数据的毫秒数）',
    ),
    cmd('netstat -ntp | grep ESTABLISHED', 'the classic listing', '传统的查看方式'),
    cmd('lsof -nP -iTCP -sTCP:ESTABLISHED -p PID', "one process's connections", '查看某个进程的连接'),
  ],
  fix: [
    t(
      'For dead peers: enable keepalive in the program with short per-socket timers (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), set TCP_USER_TIMEOUT, or use application heartbeats and idle timeouts (see half-open).',
      '对付已经消失的对端：在程序里开启保活并设置较短的单套接字参数（TCP_KEEPIDLE、TCP_KEEPINTVL、TCP_KEEPCNT），设置 TCP_USER_TIMEOUT，或者使用应用层心跳和空闲超时（见 half-open）。',
    ),
    t(
      'For leaks: make the client reuse or close its connections, and cap connections per client on the server.',
      '对付连接泄漏：让客户端复用或关闭连接，并在服务端限制单个客户端的连接数。',
    ),
    t(
      'For a growing Recv-Q the program must read faster; for a growing Send-Q find out why the peer does not read.',
      'Recv-Q 持续增长，要让程序读得更快；Send-Q 持续增长，要查明对端为什么不读。',
    ),
  ],
  related: ['half-open', 'accept-queue-overflow', 'CLOSE_WAIT', 'FIN_WAIT1'],
};
