/** TIME_WAIT and 2MSL. @see net/ipv4/tcp_minisocks.c (tcp_time_wait), include/net/tcp.h (TCP_TIMEWAIT_LEN) */
import { cmd, fixClaim, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const TIME_WAIT_TOPIC: TopicSource = {
  id: 'time-wait',
  title: t('TIME_WAIT and the 2MSL wait', 'TIME_WAIT 与 2MSL 等待'),
  summary: t(
    'Why the end that closes first keeps a connection for 60 s after it ended, what that costs, and what to tune (and not).',
    '为什么先关闭的一端要在连接结束后再保留 60 秒，代价是什么，哪些能调、哪些不该调。',
  ),
  what: t(
    'After a connection is closed in both directions, the end that sent the first FIN keeps it in TIME_WAIT for 2MSL, twice the Maximum Segment Lifetime, the longest a segment is assumed to survive in the network. RFC 9293 (§3.4.2) takes the MSL as 2 minutes and calls that an engineering choice. Linux waits a fixed 60 s, the constant TCP_TIMEWAIT_LEN, and swaps the full socket for a small timewait socket without a process or buffers, so a TIME_WAIT costs a few hundred bytes and no descriptor.',
    '连接的两个方向都关闭后，先发出 FIN 的一端要在 TIME_WAIT 中保留这条连接 2MSL，即两倍的最大报文生存时间（假定报文在网络中能存活的最长时间）。RFC 9293（§3.4.2）把 MSL 取为 2 分钟，并说明这是工程上的取值。Linux 固定等待 60 秒，即常量 TCP_TIMEWAIT_LEN，并把完整的套接字换成一个不属于任何进程、也没有缓冲区的小 timewait 套接字，所以每个 TIME_WAIT 只占几百字节，不占文件描述符。',
  ),
  signs: t(
    'TIME_WAIT sockets with no process, counted by `ss -s` (timewait) and sar -n SOCK (tcp-tw). They sit on whichever end closes first: the server when it closes idle or HTTP/1.0 connections, the clients otherwise. They become trouble only as: connect() failing with EADDRNOTAVAIL (a client out of ports towards one destination), TcpExtTCPTimeWaitOverflow rising when tcp_max_tw_buckets is reached (modern kernels log nothing), or EADDRINUSE when a server restarts without SO_REUSEADDR.',
    '不属于任何进程的 TIME_WAIT 套接字，`ss -s` 的 timewait 和 sar -n SOCK 的 tcp-tw 会统计它们。它们出现在先关闭的一端：服务端主动关闭空闲连接或 HTTP/1.0 连接时在服务端，否则在客户端。只有以下几种情况才算问题：connect() 报 EADDRNOTAVAIL（客户端到某个目的地的端口用完了）；达到 tcp_max_tw_buckets 时 TcpExtTCPTimeWaitOverflow 上升（新内核不再打印日志）；服务端没设 SO_REUSEADDR，重启时报 EADDRINUSE。',
  ),
  why: t(
    'Two reasons, both in RFC 9293 §3.6 and Figure 5. First, the last ACK may be lost: the peer, still in LAST_ACK, then retransmits its FIN, and the end that closed first must still know the connection to acknowledge it again; without TIME_WAIT it would answer with a RST and the peer would report an error. Second, old duplicates: a delayed segment of this connection could arrive after a new connection with the same addresses and ports has started, and be taken for its data; waiting 2MSL lets such segments expire. Linux also uses TCP timestamps (PAWS) to reject old duplicates, which is what makes tcp_tw_reuse safe for outgoing connections.',
    '原因有两个，都写在 RFC 9293 §3.6 和图 5 里。第一，最后一个 ACK 可能丢失：这时还在 LAST_ACK 的对端会重传 FIN，先关闭的一端必须还认得这条连接，才能再确认一次；如果没有 TIME_WAIT，它只能回 RST，对端就会报错。第二，旧的重复报文：这条连接的某个延迟报文，可能在相同地址和端口的新连接建立之后才到达，被误当成新连接的数据；等待 2MSL 能让这类报文过期。Linux 还利用 TCP 时间戳（PAWS）丢弃旧的重复报文，这正是 tcp_tw_reuse 对主动发起的连接来说是安全的原因。',
  ),
  settings: [
    ref('TCP_TIMEWAIT_LEN', true),
    ref('tcp_max_tw_buckets'),
    ref('tcp_tw_reuse'),
    ref('tcp_timestamps'),
    ref('ip_local_port_range'),
    ref('tcp_fin_timeout'),
  ],
  commands: [
    cmd(
      'tcpscope count --by port -s time-wait',
      'on a server port: the server closes first',
      '集中在服务端口上：说明是服务端先关闭',
    ),
    cmd(
      'tcpscope count --by peer -s time-wait',
      'towards one destination: a client at risk of port exhaustion',
      '集中在一个目的地：客户端有端口耗尽的风险',
    ),
    cmd('tcpscope stat -n SOCK 1 5', 'tcp-tw over time', 'tcp-tw 随时间的变化'),
    cmd('ss -s', 'the timewait count', 'timewait 总数'),
    cmd(
      'nstat -az TcpExtTW TcpExtTCPTimeWaitOverflow',
      'TIME_WAITs expired, and ones skipped for lack of room',
      '到期的 TIME_WAIT 数，以及因超限被跳过的数量',
    ),
    cmd(
      'sysctl net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range',
      'the limits that matter',
      '相关的上限和开关',
    ),
  ],
  fix: [
    t(
      'Mostly leave them alone: tens of thousands of TIME_WAIT sockets cost a few megabytes and little CPU.',
      '大多数时候不用管它们：几万个 TIME_WAIT 也只占几 MB 内存，几乎不耗 CPU。',
    ),
    t(
      'Reuse connections (keep-alive, pools), and let clients close first where the protocol allows.',
      '复用连接（keep-alive、连接池）；协议允许时让客户端先关闭。',
    ),
    t(
      'A client out of ports: see port-exhaustion. A server that cannot restart: see eaddrinuse.',
      '客户端端口耗尽：见 port-exhaustion。服务端无法重启：见 eaddrinuse。',
    ),
    t(
      'Avoid SO_LINGER with a zero timeout as a general cure: it resets connections, loses unsent data and gives up the protection TIME_WAIT offers.',
      '不要把 SO_LINGER 超时设为 0 当作通用解法：它会重置连接、丢掉未发送的数据，也放弃了 TIME_WAIT 提供的保护。',
    ),
  ],
  states: ['TIME_WAIT', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK'],
  corrections: [
    fixClaim(
      t(
        'net.ipv4.tcp_fin_timeout sets how long TIME_WAIT lasts; lower it to get rid of TIME_WAIT.',
        'net.ipv4.tcp_fin_timeout 决定 TIME_WAIT 的时长，调小它就能减少 TIME_WAIT。',
      ),
      t(
        'It does not. tcp_fin_timeout is how long an orphaned connection may wait in FIN_WAIT2. TIME_WAIT is the constant TCP_TIMEWAIT_LEN, 60 s, and no sysctl changes it.',
        '并非如此。tcp_fin_timeout 是孤儿连接在 FIN_WAIT2 中的最长等待时间。TIME_WAIT 是常量 TCP_TIMEWAIT_LEN，固定 60 秒，没有任何 sysctl 能改变它。',
      ),
    ),
    fixClaim(
      t('Turn on tcp_tw_recycle to get rid of TIME_WAIT.', '打开 tcp_tw_recycle 来消除 TIME_WAIT。'),
      t(
        'tcp_tw_recycle dropped connections from clients behind NAT and was removed in Linux 4.12. tcp_tw_reuse is the safe option, and only for outgoing connections.',
        'tcp_tw_recycle 会丢弃 NAT 后面客户端的连接，已在 Linux 4.12 中被删除。tcp_tw_reuse 才是安全的选项，而且只对主动发起的连接有效。',
      ),
    ),
    fixClaim(
      t('TIME_WAIT only makes sure the last ACK arrives.', 'TIME_WAIT 只是为了保证最后一个 ACK 能送达。'),
      t(
        'That is one of its two jobs. The other is to let old duplicate segments expire before the same addresses and ports are used again.',
        '这只是它的作用之一。另一个作用是让旧的重复报文在相同地址和端口被再次使用之前过期。',
      ),
    ),
  ],
  related: ['TIME_WAIT', 'port-exhaustion', 'eaddrinuse', 'FIN_WAIT2'],
};
