/**
 * The source article's claims, checked against the kernel and RFC 9293. The article is a widely
 * copied Chinese post ("TCP状态详解", 2017); the claims are paraphrased, none of its wording reused.
 */
import { cmd, fixClaim, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const FOLKLORE: TopicSource = {
  id: 'folklore',
  title: t('Common TCP-state folklore, checked', '常见 TCP 状态说法辨析'),
  summary: t(
    'Claims from the article tcpscope grew from, and from advice copied around it, checked against the Linux kernel and RFC 9293.',
    'tcpscope 起源的那篇文章，以及网上广为转载的相关建议，对照 Linux 内核和 RFC 9293 逐条核对。',
  ),
  what: t(
    'tcpscope started from a much-copied Chinese blog post about TCP states. Much of it is right. The claims below are wrong, true only on Windows or BSD, or incomplete on Linux; each comes with what the kernel really does.',
    'tcpscope 起源于一篇被大量转载的中文博客，讲的是 TCP 各个状态。文中大部分内容没有问题。下面这些说法则是错误的、只在 Windows 或 BSD 上成立，或者在 Linux 上不完整；每条都附上了内核的实际行为。',
  ),
  signs: t(
    'Advice that lowers tcp_fin_timeout to shorten TIME_WAIT (it cannot), turns on tcp_tw_recycle (gone since Linux 4.12), or reads sar -n SOCK as a count of new connections usually comes from texts like it.',
    '那些调小 tcp_fin_timeout 来缩短 TIME_WAIT（它做不到）、打开 tcp_tw_recycle（Linux 4.12 起已不存在）、或把 sar -n SOCK 当作新建连接数来看的建议，大多出自这类文章。',
  ),
  why: t(
    "Such texts mix Windows and BSD sources (TCPView, LISTENING, SYN_RCVD) with the RFC's idealised state diagram. Linux differs in its timers, in how it keeps pending and closing connections (request sockets, timewait sockets, orphans), and in its names.",
    '这类文章混用了 Windows 和 BSD 的资料（TCPView、LISTENING、SYN_RCVD）以及 RFC 中理想化的状态图。Linux 在定时器、对未完成和正在关闭的连接的处理方式（请求套接字、timewait 套接字、孤儿连接）以及状态名称上都有所不同。',
  ),
  settings: [],
  commands: [
    cmd(
      'sar -n SOCK 1 5',
      'sockets in use (totsck, tcpsck, tcp-tw), not connections created',
      '正在使用的套接字数（totsck、tcpsck、tcp-tw），不是新建连接数',
    ),
    cmd(
      'sar -n TCP 1 5',
      'connections created per second: active/s and passive/s',
      '每秒新建连接数：active/s 和 passive/s',
    ),
    cmd(
      'tcpscope stat 1 5',
      "sar's SOCK, TCP and ETCP views together",
      '一次看到 sar 的 SOCK、TCP、ETCP 三种视图',
    ),
    cmd('tcpscope count', 'sockets per state', '按状态统计套接字'),
  ],
  fix: [
    t(
      'Check claims about timers against Documentation/networking/ip-sysctl.rst and the kernel source before tuning anything.',
      '调任何参数之前，先对照内核文档 Documentation/networking/ip-sysctl.rst 和内核源码核实关于定时器的说法。',
    ),
    t(
      'Reproduce a situation in a private network namespace and watch it with tcpscope before changing a production machine.',
      '在改动生产机器之前，先在独立的网络命名空间里复现问题，并用 tcpscope 观察。',
    ),
  ],
  states: [],
  corrections: [
    fixClaim(
      t(
        '`sar -n SOCK` shows how many TCP connections were created.',
        '`sar -n SOCK` 显示创建了多少个 TCP 连接。',
      ),
      t(
        '`sar -n SOCK` shows sockets in use at each interval (totsck, tcpsck, tcp-tw, ...). Connections created per second are in `sar -n TCP`: active/s for outgoing connect() calls, passive/s for incoming connections.',
        '`sar -n SOCK` 显示的是每个采样时刻正在使用的套接字数（totsck、tcpsck、tcp-tw 等）。每秒新建的连接数要看 `sar -n TCP`：active/s 是主动发起的 connect()，passive/s 是被动接受的连接。',
      ),
    ),
    fixClaim(
      t(
        '`netstat -nat` shows how many connections are in each state.',
        '`netstat -nat` 显示各个状态的连接数。',
      ),
      t(
        "It lists sockets one by one; counting them per state takes `netstat -nat | awk '{print $6}' | sort | uniq -c`, `ss -s`, or `tcpscope count`.",
        "它只是逐条列出套接字；要按状态计数，得用 `netstat -nat | awk '{print $6}' | sort | uniq -c`、`ss -s` 或 `tcpscope count`。",
      ),
    ),
    fixClaim(
      t(
        'Killing a load-testing client abruptly leaves the server with many LAST_ACK.',
        '压测时突然杀掉客户端，服务端会出现大量 LAST_ACK。',
      ),
      t(
        "When the client program is killed, its kernel closes its sockets and keeps answering the server's FINs, so the server's LAST_ACK ends within a round trip. LAST_ACK piles up only when nothing answers: the client's machine or the network path disappeared after the client sent its own FINs.",
        '客户端程序被杀掉时，它所在的内核会关闭它的套接字，并继续应答服务端的 FIN，所以服务端的 LAST_ACK 在一个往返内就会结束。只有当没人应答时 LAST_ACK 才会堆积：客户端在发出自己的 FIN 之后，整台机器或网络路径消失了。',
      ),
    ),
    fixClaim(
      t(
        'CLOSE_WAIT and fake ESTABLISHED pile up on the server because clients disconnect.',
        '客户端断开连接，导致服务端堆积 CLOSE_WAIT 和假的 ESTABLISHED。',
      ),
      t(
        'They have different causes. CLOSE_WAIT piles up because the local program does not call close() after the peer closed: a bug in the program, not the network. Fake ESTABLISHED are half-open connections whose peer vanished without a FIN; keepalive or application timeouts clear them.',
        '两者原因不同。CLOSE_WAIT 堆积是因为对端关闭后本地程序没有调用 close()：这是程序的 bug，与网络无关。假的 ESTABLISHED 是对端没发 FIN 就消失后留下的半开连接；用保活或应用层超时来清理。',
      ),
    ),
    fixClaim(
      t(
        'TIME_WAIT lasts 2MSL, which you can shorten with net.ipv4.tcp_fin_timeout.',
        'TIME_WAIT 持续 2MSL，可以通过 net.ipv4.tcp_fin_timeout 缩短。',
      ),
      t(
        'On Linux TIME_WAIT is a fixed 60 s, the constant TCP_TIMEWAIT_LEN, and no sysctl changes it. tcp_fin_timeout governs orphaned FIN_WAIT2 only.',
        '在 Linux 上 TIME_WAIT 固定为 60 秒，即常量 TCP_TIMEWAIT_LEN，没有任何 sysctl 能改变它。tcp_fin_timeout 只管孤儿 FIN_WAIT2。',
      ),
    ),
    fixClaim(
      t(
        'A restarted server must wait 2MSL before it can use its port again.',
        '服务端重启后必须等待 2MSL 才能再次使用它的端口。',
      ),
      t(
        'With SO_REUSEADDR, which nearly every server sets, it can bind and serve at once; Linux refuses only while another socket still listens on the port.',
        '设置了 SO_REUSEADDR（几乎所有服务端都会设置）就能立即绑定并提供服务；只有当端口上还有别的套接字在监听时，Linux 才会拒绝。',
      ),
    ),
    fixClaim(
      t(
        "Many FIN_WAIT1 after a server shutdown come from the server being unable to receive the clients' ACKs.",
        '服务端停机后出现大量 FIN_WAIT1，是因为服务端收不到客户端的 ACK。',
      ),
      t(
        'The kernel keeps running those closed connections after the process exits and receives ACKs normally. FIN_WAIT1 stays when the FIN cannot leave (unsent data queued ahead of it, to clients whose windows are zero) or gets no answer (clients unreachable), and tcp_orphan_retries bounds how long.',
        '进程退出后，内核会继续处理这些已关闭的连接，也能正常接收 ACK。FIN_WAIT1 之所以停留，是因为 FIN 发不出去（前面还排着未发送的数据，而客户端窗口为 0），或者发出去没人应答（客户端不可达），停留多久由 tcp_orphan_retries 决定。',
      ),
    ),
    fixClaim(
      t(
        'FIN_WAIT2 is the half-closed state in which the application can still receive data.',
        'FIN_WAIT2 是半关闭状态，应用程序仍然可以接收数据。',
      ),
      t(
        'Only if the program used shutdown() and still holds the socket. After close() the connection is an orphan that nobody reads, and Linux drops it after tcp_fin_timeout (60 s) if the peer never sends its FIN.',
        '只有在程序使用 shutdown() 且仍持有套接字时才是这样。close() 之后，这条连接就是没人再读的孤儿连接，如果对端一直不发 FIN，Linux 会在 tcp_fin_timeout（60 秒）后丢弃它。',
      ),
    ),
    fixClaim(
      t(
        'Many SYN_SENT mean the site does not exist or the line is bad, or a scanner or worm is at work.',
        '大量 SYN_SENT 说明网站不存在或线路不好，或者有扫描软件、蠕虫在运行。',
      ),
      t(
        'Mostly right, with one refinement: a refused connection (nothing listening, RST) or an ICMP error ends at once and never lingers. SYN_SENT that stay mean SYNs silently dropped (a filtering firewall, a host that is down) or a process scanning many addresses or ports: find that process.',
        '基本正确，但要补充一点：被拒绝的连接（没有程序监听，对方回 RST）或收到 ICMP 错误的连接会立刻结束，不会停留。停留不走的 SYN_SENT 说明 SYN 被悄悄丢弃（防火墙过滤、主机宕机），或者有进程在扫描大量地址或端口：把这个进程找出来。',
      ),
    ),
    fixClaim(
      t(
        'The SYN timeout is usually between 30 seconds and 2 minutes.',
        'SYN 超时一般在 30 秒到 2 分钟之间。',
      ),
      t(
        'On Linux, a server drops a pending request after tcp_synack_retries SYN+ACK retransmissions (about 63 s by default), and with SYN cookies a flood cannot grow the list beyond the backlog. A client gives up after the time tcp_syn_retries stands for: about 131 s with the defaults on Linux 6.5 and later (10 SYN retransmissions), about 127 s before.',
        '在 Linux 上，服务端在重传 tcp_synack_retries 次 SYN+ACK 后丢弃半连接（默认约 63 秒），并且有 SYN cookie 在，洪水攻击也无法让队列超过 backlog。客户端则在 tcp_syn_retries 所代表的时间过后放弃：Linux 6.5 及以后默认约 131 秒（重传 10 次 SYN），之前约 127 秒。',
      ),
    ),
    fixClaim(
      t('The states are called LISTENING and SYN_RCVD.', '这两个状态叫 LISTENING 和 SYN_RCVD。'),
      t(
        'Those are the names of Windows netstat (LISTENING) and of BSD (SYN_RCVD). Linux shows LISTEN and SYN_RECV (ss writes SYN-RECV). tcpscope accepts all of these spellings.',
        '这是 Windows netstat（LISTENING）和 BSD（SYN_RCVD）的叫法。Linux 显示为 LISTEN 和 SYN_RECV（ss 写作 SYN-RECV）。tcpscope 这几种写法都接受。',
      ),
    ),
    fixClaim(
      t('A trojan shows up as an unexpected port in LISTEN.', '木马会表现为一个意料之外的 LISTEN 端口。'),
      t(
        'Sometimes, so check the program behind every listener. But many backdoors connect out instead (reverse shells) and show as ESTABLISHED or SYN_SENT to unusual destinations, never as LISTEN.',
        '有时是这样，所以每个监听端口背后的程序都要核对。但很多后门是主动向外连接的（反弹 shell），表现为指向异常目的地的 ESTABLISHED 或 SYN_SENT，根本不会出现在 LISTEN 里。',
      ),
    ),
  ],
  related: ['time-wait', 'close-wait-leak', 'half-open', 'LAST_ACK', 'FIN_WAIT1', 'SYN_SENT'],
};
