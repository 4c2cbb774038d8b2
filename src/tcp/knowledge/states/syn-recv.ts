/** SYN_RECV: a connection request half done on the server side. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const SYN_RECV: StateSource = {
  state: 'SYN_RECV',
  what: t(
    "A connection request half done: a SYN arrived on a listening port, the kernel answered with a SYN+ACK, and it waits for the client's ACK, the third segment of the handshake. On Linux this is a small request socket of about 300 bytes, not a full socket: no process owns it and it is not in the accept queue yet. tcpscope shows it as a request on its listener. An exception: a TCP Fast Open connection (data in the SYN) gets a full child socket in SYN_RECV at once, already queued for accept().",
    '一个完成了一半的连接请求：监听端口收到了 SYN，内核回了 SYN+ACK，正在等客户端的 ACK，也就是三次握手的第三步。在 Linux 上这只是一个约 300 字节的请求套接字（request socket），不是完整的套接字：它不属于任何进程，也还没有进入 accept 队列。tcpscope 把它显示为所属监听套接字上的请求。例外是 TCP Fast Open 连接（SYN 中带数据）：它立即得到一个处于 SYN_RECV 的完整子套接字，并已进入 accept 队列。',
  ),
  reachedBy: t(
    "The server. RFC 9293's Figure 5 moves the listener from LISTEN to SYN-RECEIVED when a SYN arrives; Linux leaves the listener in LISTEN and creates a request socket in SYN_RECV for each SYN (NEW_SYN_RECV inside the kernel, reported as SYN_RECV). The client's ACK completes the handshake: the kernel then creates a full socket in ESTABLISHED and queues it on the listener until the program calls accept(). A client passes through SYN_RECV only in a simultaneous open, when two SYNs cross; that is rare.",
    '服务端。RFC 9293 图 5 中，监听方收到 SYN 后从 LISTEN 转入 SYN-RECEIVED；Linux 则让监听套接字留在 LISTEN，为每个 SYN 另建一个处于 SYN_RECV 的请求套接字（内核内部叫 NEW_SYN_RECV，对外报告为 SYN_RECV）。客户端的 ACK 到达后握手完成：内核创建一个处于 ESTABLISHED 的完整套接字，放进监听套接字的 accept 队列，等程序调用 accept()。客户端只有在双方同时打开（两个 SYN 交错而过）时才会经过 SYN_RECV，非常少见。',
  ),
  duration: t(
    "One round trip normally. Without the ACK, the kernel retransmits the SYN+ACK net.ipv4.tcp_synack_retries times (default 5: at about 1, 3, 7, 15 and 31 s) and drops the request at about 63 s. Under pressure it lives seconds, not a minute: when the listener's queue of requests is more than half full, the kernel cuts the SYN+ACK retries of requests that already had one (reqsk_timer_handler, down to 2). When the accept queue is full, Linux drops the client's final ACK: the request stays in SYN_RECV and its SYN+ACK is retransmitted, while the client already believes the connection is ESTABLISHED.",
    '正常只持续一个往返时间。收不到 ACK 时，内核会重传 SYN+ACK，次数由 net.ipv4.tcp_synack_retries 决定（默认 5 次，大约在第 1、3、7、15、31 秒），约 63 秒后丢弃这个请求。压力之下它只活几秒而不是一分钟：监听套接字的请求队列超过一半时，内核会减少已重传过的请求的 SYN+ACK 重传次数（reqsk_timer_handler，最少到 2 次）。如果 accept 队列已满，Linux 会丢掉客户端发来的最后一个 ACK：请求继续停在 SYN_RECV 并重传 SYN+ACK，而客户端那边早已认为连接是 ESTABLISHED 了。',
  ),
  why: t(
    "A handful is normal on a busy server. Many on one listener usually mean one of three things. A SYN flood: SYNs from many, often forged, source addresses that never complete the handshake; with SYN cookies on (the default) the kernel stops storing requests once the listener's queue is full, so the count levels off while SyncookiesSent rises. A full accept queue: the program does not accept() fast enough, final ACKs are dropped and ListenOverflows rises. Or the clients' ACKs are lost on the way: an asymmetric route, or a firewall that lets the SYN+ACK out but drops what comes back.",
    '繁忙的服务器上有少量 SYN_RECV 很正常。某个监听端口上大量出现时，通常是下面三种情况之一。SYN 洪水攻击：大量（往往是伪造的）源地址发来 SYN，却从不完成握手；在默认开启 SYN cookie 的情况下，队列满了以后内核就不再保存请求，所以数量会停在某个值上，同时 SyncookiesSent 持续增长。accept 队列满：程序 accept() 太慢，握手的最后一个 ACK 被丢弃，ListenOverflows 增长。或者客户端的 ACK 在路上丢了：来回路径不对称，或者防火墙放行了 SYN+ACK，却拦下了回来的报文。',
  ),
  settings: [
    ref('tcp_synack_retries', true),
    ref('tcp_syncookies'),
    ref('tcp_max_syn_backlog'),
    ref('somaxconn'),
  ],
  commands: [
    cmd(
      'tcpscope count --by port -s syn-recv',
      'which listener the requests are for',
      '请求落在哪个监听端口上',
    ),
    cmd(
      'tcpscope count --by peer -s syn-recv --top 20',
      'a few sources or very many (forged)?',
      '来源是少数几个还是大量（伪造）地址？',
    ),
    cmd(
      'tcpscope stat -n LISTEN 1 5',
      'ListenOverflows, ListenDrops, SyncookiesSent and TCPReqQFullDrop per second',
      '每秒的 ListenOverflows、ListenDrops、SyncookiesSent 和 TCPReqQFullDrop',
    ),
    cmd(
      "tcpscope counters 'TcpExtSyncookies*'",
      'SYN cookies sent, received and failed',
      'SYN cookie 的发送、接收和失败计数',
    ),
    cmd(
      'nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop',
      'the same counters with nstat',
      '用 nstat 查看同样的计数器',
    ),
    cmd(
      "dmesg | grep -i 'SYN flooding'",
      "the kernel's flood warning and the port",
      '内核的 SYN 洪水告警及端口',
    ),
    cmd(
      'sysctl net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn',
      'the settings that size the queues',
      '决定队列大小的参数',
    ),
  ],
  fix: [
    t(
      'Keep net.ipv4.tcp_syncookies=1 (the default): a flood then cannot keep genuine clients out.',
      '保持 net.ipv4.tcp_syncookies=1（默认值）：这样即使遭到洪水攻击，正常客户端也还能连进来。',
    ),
    t(
      "If legitimate load fills the queues, raise the program's listen() backlog together with net.core.somaxconn, and make the program accept faster (see accept-queue-overflow).",
      '如果是正常业务量把队列撑满，就同时调大程序 listen() 的 backlog 和 net.core.somaxconn，并让程序更快地 accept（见 accept-queue-overflow）。',
    ),
    t(
      'Lower net.ipv4.tcp_synack_retries (to 2 or 3) so stale requests leave the queue sooner.',
      '调小 net.ipv4.tcp_synack_retries（如 2 或 3），让失效的请求更早离开队列。',
    ),
    t(
      "Against a real flood, filter upstream: rate-limit new connections per source with nftables, or use the provider's DDoS protection when the flood is bigger than the link.",
      '遇到真正的洪水攻击要在上游过滤：用 nftables 按源地址限制新建连接速率；流量超过链路带宽时，就得靠运营商或云厂商的 DDoS 防护。',
    ),
  ],
  related: ['syn-flood', 'accept-queue-overflow', 'LISTEN', 'folklore'],
};
