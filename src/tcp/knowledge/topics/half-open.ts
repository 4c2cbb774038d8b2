/** Half-open ("fake ESTABLISHED") connections. @see net/ipv4/tcp_timer.c (tcp_keepalive_timer, tcp_write_timeout) */
import { cmd, fixClaim, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const HALF_OPEN: TopicSource = {
  id: 'half-open',
  title: t('Half-open connections ("fake ESTABLISHED")', '半开连接（“假 ESTABLISHED”）'),
  summary: t(
    'ESTABLISHED connections whose peer is gone without a FIN or RST: nothing tells the kernel, and without keepalive they stay forever.',
    '对端没发 FIN 或 RST 就消失了，本端的连接还显示 ESTABLISHED：没有任何东西通知内核，不开保活的话它们会永远留着。',
  ),
  what: t(
    "TCP learns that a peer is gone only when it sends something and gets no answer, or gets a RST. If the peer's machine loses power, crashes or is unplugged, or a NAT gateway or stateful firewall between the two forgets the connection, no FIN or RST is ever sent. The surviving end keeps the connection ESTABLISHED: an idle connection sends nothing, so nothing fails. When it does send, it retransmits until net.ipv4.tcp_retries2 is exhausted (about 15 minutes by default) and then aborts. If the peer's machine has come back, its kernel answers our next segment with a RST and the connection ends at once. RFC 9293 §3.5.1 calls these half-open connections.",
    'TCP 只有在发出数据却得不到回应、或者收到 RST 时，才知道对端已经不在了。如果对端机器断电、崩溃、被拔了网线，或者中间的 NAT 网关、有状态防火墙把连接状态忘了，就不会有任何 FIN 或 RST 发出来。幸存的一端会让连接一直停在 ESTABLISHED：空闲连接什么都不发，自然也不会出错。一旦要发数据，它会不断重传，直到 net.ipv4.tcp_retries2 用完（默认约 15 分钟）才放弃。如果对端机器已经重启回来，它的内核会对本端的下一个报文回 RST，连接随即结束。RFC 9293 §3.5.1 把这种连接称为半开连接。',
  ),
  signs: t(
    'ESTABLISHED connections with no traffic for a long time (tcp_info last_data_recv large, `ss -ti` lastrcv), no keepalive timer (`ss -o` shows none), often many from one client address because it reconnected after its side failed; or ESTABLISHED with a Send-Q and a retransmission timer that keeps backing off. TcpExtTCPAbortOnTimeout rises when the kernel finally gives up; TcpEstabResets rises when rebooted peers answer with RSTs.',
    '长时间没有流量的 ESTABLISHED 连接（tcp_info 的 last_data_recv 很大，`ss -ti` 中的 lastrcv），没有保活定时器（`ss -o` 看不到），而且常常同一个客户端地址有很多条，因为它在自己那端出故障后又重连了；或者是带着 Send-Q、重传定时器不断退避的 ESTABLISHED 连接。内核最终放弃时 TcpExtTCPAbortOnTimeout 增长；重启后的对端回 RST 时 TcpEstabResets 增长。',
  ),
  why: t(
    'Idle TCP sends nothing, and keepalive is off unless the program turns it on with SO_KEEPALIVE; even then the Linux default waits 2 hours before the first probe. Servers that give each connection a thread or a slot run out of them: the failure new clients then see comes from that application limit, not from TCP.',
    '空闲的 TCP 连接什么都不发，而保活默认是关闭的，除非程序用 SO_KEEPALIVE 打开；即便打开，Linux 默认也要空闲 2 小时才发第一个探测。给每条连接分配一个线程或名额的服务端会被这些死连接耗尽名额：新客户端此时遇到的失败来自应用自身的上限，而不是 TCP。',
  ),
  settings: [
    ref('SO_KEEPALIVE'),
    ref('tcp_keepalive_time'),
    ref('tcp_keepalive_intvl'),
    ref('tcp_keepalive_probes'),
    ref('tcp_retries2'),
    ref('TCP_USER_TIMEOUT'),
  ],
  commands: [
    cmd(
      'tcpscope count --by peer -s established',
      'peers with suspiciously many connections',
      '连接数可疑偏多的对端',
    ),
    cmd(
      'tcpscope ls -s established -p -o',
      'connections without a keepalive timer, and who holds them',
      '找出没有保活定时器的连接及其所属进程',
    ),
    cmd('ss -tnoi state established', 'lastrcv and timers per connection', '每条连接的 lastrcv 和定时器'),
    cmd(
      'nstat -az TcpExtTCPAbortOnTimeout TcpExtTCPKeepAlive TcpEstabResets',
      'connections given up, keepalive probes sent, resets',
      '因超时放弃的连接、发出的保活探测、被重置的连接',
    ),
    cmd(
      'sysctl net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes',
      'the keepalive defaults',
      '保活的默认参数',
    ),
  ],
  fix: [
    t(
      'Turn keepalive on in the program, with short per-socket timers (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), or lower the net.ipv4.tcp_keepalive_* defaults for every socket that turns it on.',
      '在程序里打开保活，并设置较短的单套接字参数（TCP_KEEPIDLE、TCP_KEEPINTVL、TCP_KEEPCNT），或者调小 net.ipv4.tcp_keepalive_* 这组默认值，让所有开启保活的套接字都受益。',
    ),
    t(
      "Set TCP_USER_TIMEOUT so connections with unacknowledged data give up sooner than tcp_retries2's 15 minutes.",
      '设置 TCP_USER_TIMEOUT，让有未确认数据的连接比 tcp_retries2 的 15 分钟更早放弃。',
    ),
    t(
      'Use application heartbeats and idle timeouts (HTTP keep-alive timeouts, database idle timeouts, WebSocket pings).',
      '使用应用层心跳和空闲超时（HTTP keep-alive 超时、数据库空闲超时、WebSocket ping）。',
    ),
    t(
      'Keep keepalive intervals shorter than the idle timeouts of NATs and firewalls on the path, or those will drop the connection silently.',
      '保活间隔要短于路径上 NAT 和防火墙的空闲超时，否则它们会悄悄把连接丢掉。',
    ),
  ],
  states: ['ESTABLISHED'],
  corrections: [
    fixClaim(
      t(
        'When a client drops off without sending a FIN, the server keeps a fake ESTABLISHED connection, and after enough of them new clients cannot connect.',
        '客户端没发 FIN 就断开时，服务端会留下假的 ESTABLISHED 连接，积累多了新客户端就连不上。',
      ),
      t(
        "The first half is right. The second is not TCP's doing: a dead connection costs the server one socket. New clients fail only when the program has a per-connection limit (threads, worker slots, a maximum number of connections) that dead connections use up, or when its accept queue is full.",
        '前半句是对的。后半句不是 TCP 造成的：一条死连接只占服务端一个套接字。只有当程序有按连接计的上限（线程数、工作名额、最大连接数）被死连接耗尽，或者 accept 队列已满时，新客户端才会连不上。',
      ),
    ),
  ],
  related: ['ESTABLISHED', 'LAST_ACK', 'accept-queue-overflow'],
};
