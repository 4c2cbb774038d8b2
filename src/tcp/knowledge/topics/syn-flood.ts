/** SYN flood and SYN cookies. @see net/ipv4/tcp_input.c (tcp_conn_request), net/ipv4/syncookies.c */
import { cmd, fixClaim, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const SYN_FLOOD: TopicSource = {
  id: 'syn-flood',
  title: t('SYN flood and SYN cookies', 'SYN 洪水攻击与 SYN cookie'),
  summary: t(
    "SYNs that never complete the handshake, sent to fill a listener's queue of pending requests; SYN cookies let the kernel answer them without storing anything.",
    '大量永远不会完成握手的 SYN，目的是塞满监听套接字的半连接队列；SYN cookie 让内核不保存任何状态也能应答。',
  ),
  what: t(
    "Every SYN to a listening port makes the kernel store a request (a SYN_RECV request socket of about 300 bytes) and send a SYN+ACK, which it retransmits for about a minute (tcp_synack_retries), or only seconds once the queue of requests is more than half full (the kernel then cuts the retries of old requests). An attacker sends SYNs from forged source addresses: the SYN+ACKs go to addresses that never answer, so requests pile up until the listener's queue of pending requests, as long as its backlog, is full, and genuine clients are turned away.\n\nSYN cookies (net.ipv4.tcp_syncookies=1, the default) change what happens once that queue is full: the kernel encodes the connection's details in the initial sequence number of its SYN+ACK and stores nothing. A genuine client's ACK brings the number back, and the kernel rebuilds the connection from it. The price is small: a cookie has room for only a little of the client's TCP options, and with TCP timestamps off the connection loses window scaling and SACK; with timestamps on (the Linux default) the kernel keeps those in the timestamp.",
    '每个发往监听端口的 SYN，都会让内核保存一个请求（约 300 字节的 SYN_RECV 请求套接字），并回一个 SYN+ACK，之后大约一分钟内不断重传（tcp_synack_retries）；一旦请求队列超过一半，内核会减少旧请求的重传次数，它们只活几秒。攻击者用伪造的源地址发送 SYN：SYN+ACK 发往不会应答的地址，请求越积越多，直到监听套接字的半连接队列（长度等于它的 backlog）被塞满，正常客户端就被拒之门外。\n\nSYN cookie（net.ipv4.tcp_syncookies=1，默认开启）改变了队列满之后的行为：内核把连接的关键信息编码进 SYN+ACK 的初始序列号里，自己什么也不保存。正常客户端回的 ACK 会把这个序号带回来，内核据此重建连接。代价很小：cookie 里只能放下少量 TCP 选项，关闭 TCP 时间戳时连接会失去窗口缩放和 SACK；开启时间戳（Linux 默认）时，内核会把这些信息藏在时间戳里。',
  ),
  signs: t(
    "Many SYN_RECV on one listener, from many different and often random source addresses; 'Possible SYN flooding on port N. Sending cookies.' in the kernel log; TcpExtSyncookiesSent rising, or TcpExtTCPReqQFullDrop rising when cookies are off; the SYN_RECV count levelling off at the listener's backlog. Clients that get through see nothing wrong.",
    '某个监听端口上出现大量 SYN_RECV，源地址五花八门，常常是随机的；内核日志出现“Possible SYN flooding on port N. Sending cookies.”；TcpExtSyncookiesSent 持续增长，关闭 cookie 时则是 TcpExtTCPReqQFullDrop 增长；SYN_RECV 数量停在监听套接字的 backlog 附近。能连上的客户端感觉不到任何异常。',
  ),
  why: t(
    'The queue of pending requests is small and each entry waits about a minute, so a few thousand SYNs per second keep it full. Because the sources are forged, the SYN+ACKs and their retransmissions go nowhere, or to innocent hosts (backscatter). The same kernel warning also appears without any attack, when a burst of legitimate connections outgrows a small backlog.',
    '半连接队列很小，每个请求要等大约一分钟，所以每秒几千个 SYN 就足以让它一直是满的。由于源地址是伪造的，SYN+ACK 及其重传要么石沉大海，要么打到无辜的主机上（所谓 backscatter）。没有攻击时也可能看到同样的内核告警：正常的突发连接超出了过小的 backlog。',
  ),
  settings: [ref('tcp_syncookies'), ref('tcp_synack_retries'), ref('tcp_max_syn_backlog'), ref('somaxconn')],
  commands: [
    cmd('tcpscope count --by port -s syn-recv', 'which listener is hit', '哪个监听端口受到冲击'),
    cmd('tcpscope count --by peer -s syn-recv --top 20', 'how many distinct sources', '有多少个不同的来源'),
    cmd(
      'tcpscope stat -n LISTEN 1 10',
      'SYN cookies, overflows and drops per second',
      '每秒的 SYN cookie、溢出和丢弃次数',
    ),
    cmd(
      "tcpscope counters 'TcpExtSyncookies*'",
      'SYN cookies sent, received and failed since boot',
      '开机以来 SYN cookie 的发送、接收和失败次数',
    ),
    cmd(
      'nstat -az TcpExtSyncookiesSent TcpExtTCPReqQFullDrop TcpExtListenDrops',
      'the same with nstat',
      '用 nstat 查看同样的计数器',
    ),
    cmd("dmesg | grep -i 'SYN flooding'", "the kernel's warning names the port", '内核告警里会写出端口'),
    cmd(
      "tcpdump -ni any -c 200 'tcp[tcpflags] == tcp-syn and dst port PORT'",
      'a sample of the SYNs and their sources',
      '抓取一部分 SYN，看看来源',
    ),
  ],
  fix: [
    t(
      'Keep net.ipv4.tcp_syncookies=1: with it a flood cannot keep genuine clients out of the queue.',
      '保持 net.ipv4.tcp_syncookies=1：有它在，洪水攻击就无法把正常客户端挡在队列之外。',
    ),
    t(
      "If the warning comes from legitimate load, raise the program's listen() backlog and net.core.somaxconn (and net.ipv4.tcp_max_syn_backlog, which matters when cookies are off); the kernel documentation warns against relying on cookies for legitimate load.",
      '如果告警来自正常业务量，就调大程序 listen() 的 backlog 和 net.core.somaxconn（关闭 cookie 时还有 net.ipv4.tcp_max_syn_backlog）；内核文档明确提醒，不要靠 SYN cookie 来扛正常的业务压力。',
    ),
    t(
      'Lower net.ipv4.tcp_synack_retries (to 2 or 3) so stale requests leave the queue sooner.',
      '调小 net.ipv4.tcp_synack_retries（如 2 或 3），让失效的请求更快离开队列。',
    ),
    t(
      "Filter upstream: rate-limit new connections per source with nftables, and rely on the provider's DDoS protection for floods larger than the link.",
      '在上游过滤：用 nftables 按源地址限制新建连接速率；超过链路带宽的洪水只能依靠运营商或云厂商的 DDoS 防护。',
    ),
  ],
  states: ['SYN_RECV', 'LISTEN'],
  corrections: [
    fixClaim(
      t(
        'A SYN flood makes the server keep and walk an ever-growing list of half-open connections.',
        'SYN 洪水会让服务器维护并遍历一个无限增长的半连接列表。',
      ),
      t(
        "The list is bounded by the listener's backlog. With SYN cookies, on by default, the kernel stops adding to it when it is full and answers the rest without keeping any state.",
        '这个列表的长度受监听套接字的 backlog 限制。SYN cookie 默认开启，队列满后内核不再往里添加，其余的 SYN 一律无状态应答。',
      ),
    ),
    fixClaim(
      t(
        'The SYN timeout is somewhere between 30 seconds and 2 minutes.',
        'SYN 超时大约在 30 秒到 2 分钟之间。',
      ),
      t(
        'On Linux a pending request is dropped after tcp_synack_retries SYN+ACK retransmissions: about 63 s with the default of 5.',
        '在 Linux 上，半连接请求在重传 tcp_synack_retries 次 SYN+ACK 后被丢弃：默认 5 次，约 63 秒。',
      ),
    ),
  ],
  related: ['SYN_RECV', 'accept-queue-overflow', 'LISTEN'],
};
