/** TIME_WAIT: the end that closed first remembers the connection for 60 s. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const TIME_WAIT: StateSource = {
  state: 'TIME_WAIT',
  what: t(
    'The connection is closed in both directions, and this end, the one that closed first, keeps a memory of it for a while. The kernel replaces the full socket by a small timewait socket of a few hundred bytes: no process owns it and it holds no data, only the addresses, ports and sequence numbers.\n\nIt exists for two reasons. If our last ACK is lost, the peer (still in LAST_ACK) retransmits its FIN, and this end must still recognise the connection to acknowledge it again instead of answering with a RST. And old duplicate segments of this connection, still wandering in the network, must expire before a new connection with the same addresses and ports can take them for its own.',
    '连接的两个方向都已关闭，先关闭的这一端还要把它记住一段时间。内核用一个只有几百字节的 timewait 套接字替换原来的完整套接字：它不属于任何进程，也不含数据，只保存地址、端口和序列号。\n\n它的存在有两个原因。一是本端发出的最后一个 ACK 可能丢失，这时对端（仍在 LAST_ACK）会重传 FIN，本端必须还认得这条连接，才能再回一个 ACK，而不是回 RST。二是这条连接的旧报文可能还在网络中游荡，必须等它们过期，才能让相同地址和端口的新连接使用，否则新连接会把旧报文当成自己的数据。',
  ),
  reachedBy: t(
    "Either end, whichever closed first (the active closer): from FIN_WAIT2 when the peer's FIN arrives and we acknowledge it; from CLOSING when the ACK of our FIN arrives (simultaneous close); or straight from FIN_WAIT1 when the peer's FIN comes together with the ACK of ours. The end that closes second goes through CLOSE_WAIT and LAST_ACK and never enters TIME_WAIT. So when a server closes connections itself (idle keep-alive, HTTP/1.0), the TIME_WAIT sockets are on the server; when clients close first, they are on the clients.",
    '先关闭的一端（主动关闭方）才会进入，任一端都有可能：在 FIN_WAIT2 收到对端 FIN 并回 ACK 后进入；在 CLOSING 收到对本端 FIN 的 ACK 后进入（双方同时关闭）；或者在 FIN_WAIT1 收到同时携带 ACK 的对端 FIN，直接进入。后关闭的一端走的是 CLOSE_WAIT 和 LAST_ACK，不会进入 TIME_WAIT。所以服务端主动关闭连接时（空闲的 keep-alive 连接、HTTP/1.0），TIME_WAIT 留在服务端；客户端先关闭时，TIME_WAIT 留在客户端。',
  ),
  duration: t(
    'A fixed 60 seconds on Linux: the constant TCP_TIMEWAIT_LEN in include/net/tcp.h, taken as 2MSL (RFC 9293 §3.4.2 suggests an MSL of 2 minutes and calls it an engineering choice). No sysctl changes it: tcp_fin_timeout is about orphaned FIN_WAIT2 and does not shorten TIME_WAIT. A retransmitted FIN from the peer restarts the 60 s. It ends early on an RST from the peer (net.ipv4.tcp_rfc1337=0, the default), or when a new SYN reopens the connection: one beyond the old sequence numbers or with a newer timestamp (RFC 6191), if a listener takes it; with no listener the timewait socket only answers with an ACK and stays. net.ipv4.tcp_max_tw_buckets only caps the count: beyond it, closing connections skip the wait altogether. Note that the `tw` of sockstat (and `ss -s` timewait) also counts orphaned FIN_WAIT2 connections, which the kernel keeps in the same small timewait sockets.',
    'Linux 上固定为 60 秒：即 include/net/tcp.h 中的常量 TCP_TIMEWAIT_LEN，相当于 2MSL（RFC 9293 §3.4.2 建议 MSL 取 2 分钟，并说明这只是工程上的取值）。没有任何 sysctl 能改变它：tcp_fin_timeout 管的是孤儿 FIN_WAIT2，不能缩短 TIME_WAIT。如果对端重传了 FIN，60 秒会重新计时。收到对端的 RST 时它会提前结束（net.ipv4.tcp_rfc1337=0，默认值）；新的 SYN 也能重新打开这条连接：序号超出旧连接，或者时间戳更新（RFC 6191），且有监听套接字接手；没有监听套接字时，timewait 套接字只回一个 ACK 并继续等待。net.ipv4.tcp_max_tw_buckets 只限制数量：超过上限后，新关闭的连接直接跳过等待。注意 sockstat 的 `tw`（以及 `ss -s` 的 timewait）也包含孤儿 FIN_WAIT2 连接，内核把它们放在同样的小 timewait 套接字里。',
  ),
  why: t(
    'Many TIME_WAIT means many short connections closed by this end. On a server they cost little and use up no ports: each belongs to a different client address and port. On a client that keeps connecting to the same address and port, each one holds a local port for that destination for 60 s, and the default range of 28,232 ephemeral ports caps it at about 470 new connections per second there: connect() then fails with EADDRNOTAVAIL.',
    '大量 TIME_WAIT 说明本端主动关闭了大量短连接。在服务端，这几乎没有代价，也不消耗端口：每个 TIME_WAIT 对应不同的客户端地址和端口。在客户端，如果总是连接同一个地址和端口，每个 TIME_WAIT 都会占住一个到该目的地的本地端口 60 秒，默认 28232 个临时端口意味着到这个目的地每秒最多新建约 470 条连接，超过后 connect() 会报 EADDRNOTAVAIL。',
  ),
  settings: [
    ref('TCP_TIMEWAIT_LEN', true),
    ref('tcp_max_tw_buckets'),
    ref('tcp_tw_reuse'),
    ref('ip_local_port_range'),
  ],
  commands: [
    cmd(
      'tcpscope count --by port -s time-wait',
      'by local port: a server port means the server closes first',
      '按本地端口统计：集中在服务端口上，说明是服务端先关闭',
    ),
    cmd(
      'tcpscope count --by peer -s time-wait',
      'by peer: one destination dominating?',
      '按对端统计：是否集中在某一个目的地？',
    ),
    cmd('tcpscope stat -n SOCK 1 5', 'tcp-tw over time', '查看 tcp-tw 随时间的变化'),
    cmd('ss -s', 'summary, including the timewait count', '汇总信息，包括 timewait 数量'),
    cmd('sar -n SOCK 1 5', "sar's tcp-tw column", 'sar 的 tcp-tw 列'),
    cmd(
      'nstat -az TcpExtTW TcpExtTCPTimeWaitOverflow',
      'TIME_WAIT sockets expired, and connections that skipped TIME_WAIT',
      '到期的 TIME_WAIT 数量，以及因超限而跳过 TIME_WAIT 的连接数',
    ),
    cmd(
      'sysctl net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range',
      'the limits that matter',
      '相关的上限和开关',
    ),
  ],
  fix: [
    t(
      'Usually nothing: TIME_WAIT is TCP working as designed, and each one ends by itself after 60 s.',
      '通常什么都不用做：TIME_WAIT 是 TCP 的正常设计，每个都会在 60 秒后自行消失。',
    ),
    t(
      'Make fewer, longer connections: HTTP keep-alive, connection pools, multiplexing (HTTP/2, gRPC). Let the client close first where the protocol allows, so TIME_WAIT lands on the many clients.',
      '减少短连接，改用长连接：HTTP keep-alive、连接池、多路复用（HTTP/2、gRPC）。协议允许时让客户端先关闭，把 TIME_WAIT 分散到众多客户端上。',
    ),
    t(
      'A client out of ports: see port-exhaustion (net.ipv4.tcp_tw_reuse=1, a wider ip_local_port_range). Forget tcp_tw_recycle: it broke clients behind NAT and Linux 4.12 removed it.',
      '客户端端口耗尽：见 port-exhaustion（net.ipv4.tcp_tw_reuse=1，扩大 ip_local_port_range）。不要再找 tcp_tw_recycle：它会让 NAT 后面的客户端连不上，Linux 4.12 已将其删除。',
    ),
    t(
      'A server that cannot restart (Address already in use): the fix is SO_REUSEADDR, not a shorter TIME_WAIT (see eaddrinuse).',
      '服务端重启时报 Address already in use：解决办法是 SO_REUSEADDR，而不是缩短 TIME_WAIT（见 eaddrinuse）。',
    ),
  ],
  related: ['time-wait', 'port-exhaustion', 'eaddrinuse', 'FIN_WAIT2', 'folklore'],
};
