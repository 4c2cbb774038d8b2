/** Accept-queue overflow. @see net/ipv4/tcp_input.c (tcp_conn_request), tcp_ipv4.c (tcp_v4_syn_recv_sock) */
import { cmd, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const ACCEPT_QUEUE_OVERFLOW: TopicSource = {
  id: 'accept-queue-overflow',
  title: t('Accept queue overflow (backlog, somaxconn)', 'accept 队列溢出（backlog 与 somaxconn）'),
  summary: t(
    "Connections that completed the handshake wait in the listener's accept queue for accept(); when the program is too slow, the queue fills and the kernel drops handshakes.",
    '完成握手的连接在监听套接字的 accept 队列里等程序 accept()；程序处理太慢时队列会满，内核开始丢弃握手。',
  ),
  what: t(
    "When the handshake completes, the kernel creates the connection's socket in ESTABLISHED and puts it in the listener's accept queue, where it waits for accept(). The queue holds backlog connections, plus one on Linux, where backlog is listen()'s argument capped by net.core.somaxconn (4096 by default since Linux 5.4, 128 before). When it is full, the kernel drops new SYNs and the handshake's final ACKs, counting them in ListenOverflows and ListenDrops. The client believes it is connected and may send its request, while the server's side stays in SYN_RECV and retransmits its SYN+ACK; the client sees a delay or a timeout, not a refusal. With net.ipv4.tcp_abort_on_overflow=1 the kernel answers with a RST instead.",
    '握手完成后，内核为连接创建一个处于 ESTABLISHED 的套接字，放进监听套接字的 accept 队列，等程序 accept()。队列能容纳 backlog 个连接（Linux 上实际多一个），backlog 是 listen() 的参数，上限是 net.core.somaxconn（Linux 5.4 起默认 4096，之前是 128）。队列满时，内核会丢弃新的 SYN 和握手的最后一个 ACK，并计入 ListenOverflows 和 ListenDrops。客户端以为连接已经建立，可能已经发出请求，而服务端这边仍停在 SYN_RECV 并重传 SYN+ACK；客户端看到的是延迟或超时，而不是被拒绝。如果设置 net.ipv4.tcp_abort_on_overflow=1，内核会直接回 RST。',
  ),
  signs: t(
    "On the listener, `ss -lnt` shows Recv-Q (connections waiting) at Send-Q (the backlog) or above it; TcpExtListenOverflows and TcpExtListenDrops rise; SYN_RECV builds up on the port while the program is busy; clients connect after pauses of 1, 3 or 7 s (retransmitted SYNs or SYN+ACKs); tcpscope shows connections 'queued on listener', some already in CLOSE_WAIT because their client gave up.",
    '监听套接字在 `ss -lnt` 中的 Recv-Q（等待中的连接）达到甚至超过 Send-Q（backlog）；TcpExtListenOverflows 和 TcpExtListenDrops 增长；程序繁忙时该端口上 SYN_RECV 增多；客户端连接时会卡顿 1、3 或 7 秒（SYN 或 SYN+ACK 被重传）；tcpscope 显示一些连接“queued on listener”，其中部分已是 CLOSE_WAIT，因为客户端已经放弃。',
  ),
  why: t(
    'The program does not call accept() as fast as connections arrive: too few workers or threads, an event loop blocked by slow work, a process stopped or overloaded, or a backlog far too small for bursts (many programs still pass 128 or less).',
    '程序调用 accept() 的速度跟不上连接到达的速度：工作进程或线程太少，事件循环被耗时操作阻塞，进程被暂停或过载，或者 backlog 对突发流量来说太小（很多程序仍然只传 128 甚至更小）。',
  ),
  settings: [ref('somaxconn'), ref('tcp_abort_on_overflow'), ref('tcp_max_syn_backlog'), ref('SO_REUSEPORT')],
  commands: [
    cmd('tcpscope ls -s listen -p', 'listeners, their queues and programs', '监听套接字、队列及程序'),
    cmd('tcpscope who PORT', "connections queued on the port's listener", '在该端口监听套接字上排队的连接'),
    cmd(
      'tcpscope stat -n LISTEN 1 5',
      'ListenOverflows and ListenDrops per second',
      '每秒的 ListenOverflows 和 ListenDrops',
    ),
    cmd("tcpscope counters 'TcpExtListen*'", 'the overflow counters since boot', '开机以来的溢出计数'),
    cmd('ss -lnt', 'Recv-Q against Send-Q for each listener', '对比每个监听套接字的 Recv-Q 和 Send-Q'),
    cmd(
      'nstat -az TcpExtListenOverflows TcpExtListenDrops',
      'the same with nstat',
      '用 nstat 查看同样的计数器',
    ),
    cmd(
      'netstat -s | grep -i listen',
      "the classic view ('times the listen queue of a socket overflowed')",
      '传统的查看方式（“times the listen queue of a socket overflowed”）',
    ),
  ],
  fix: [
    t(
      'Make the program accept faster: more workers, never block the accept loop, accept in a loop until EAGAIN.',
      '让程序更快地 accept：增加工作进程，绝不阻塞 accept 循环，每次循环 accept 直到返回 EAGAIN。',
    ),
    t(
      "Raise the backlog in the program's configuration (nginx `listen ... backlog=N`, Redis tcp-backlog) together with net.core.somaxconn, since the smaller one wins; the program must listen again for the new value to apply.",
      '在程序配置中调大 backlog（如 nginx 的 `listen ... backlog=N`、Redis 的 tcp-backlog），同时调大 net.core.somaxconn，因为两者取较小值；程序需要重新 listen 新值才会生效。',
    ),
    t(
      'Spread a busy port over several listening sockets with SO_REUSEPORT, each with its own queue.',
      '用 SO_REUSEPORT 把繁忙端口分摊到多个监听套接字上，每个都有自己的队列。',
    ),
    t(
      'Set net.ipv4.tcp_abort_on_overflow=1 only if clients should fail fast rather than wait: it turns short bursts into errors.',
      '只有在希望客户端快速失败而不是等待时才设置 net.ipv4.tcp_abort_on_overflow=1：它会把短暂的突发变成错误。',
    ),
  ],
  states: ['LISTEN', 'SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT'],
  corrections: [],
  related: ['LISTEN', 'SYN_RECV', 'syn-flood', 'close-wait-leak'],
};
