/** FIN_WAIT1: we closed first and our FIN is not acknowledged yet. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const FIN_WAIT1: StateSource = {
  state: 'FIN_WAIT1',
  what: t(
    'This end closed first: the program called close() or shutdown(), and the kernel queued a FIN behind any data still unsent. The state lasts until the peer acknowledges that FIN. Data from the peer may still arrive.',
    '本端先关闭：程序调用了 close() 或 shutdown()，内核把 FIN 排在尚未发出的数据之后。直到对端确认这个 FIN 之前都处于此状态。此时对端仍可能继续发来数据。',
  ),
  reachedBy: t(
    "Either end, whichever closes first (the active close), from ESTABLISHED. The ACK of our FIN moves it to FIN_WAIT2; the peer's FIN arriving before that ACK moves it to CLOSING (simultaneous close); a FIN that also acknowledges ours moves it straight to TIME_WAIT (RFC 9293 §3.6, Figure 5). If the program closes while received data is still unread, Linux sends a RST instead and the connection ends at once, as RFC 9293 §3.6.1 allows.",
    '任何一端都可能进入，取决于谁先关闭（主动关闭方），从 ESTABLISHED 转入。收到对本端 FIN 的 ACK 后转入 FIN_WAIT2；在 ACK 之前先收到对端的 FIN 则转入 CLOSING（双方同时关闭）；收到的 FIN 同时确认了本端的 FIN，则直接进入 TIME_WAIT（RFC 9293 §3.6、图 5）。如果程序关闭时接收缓冲区里还有没读的数据，Linux 会改发 RST，连接立即结束，这是 RFC 9293 §3.6.1 允许的做法。',
  ),
  duration: t(
    "One round trip normally. Longer when the FIN cannot leave or is not acknowledged: unsent data is queued ahead of it and the peer's receive window is zero (the peer is not reading; the kernel keeps probing the window), or the peer is unreachable (the FIN is retransmitted). After close() the connection is an orphan, and net.ipv4.tcp_orphan_retries bounds the retries and probes (0 means 8: at least about 100 s); beyond net.ipv4.tcp_max_orphans orphans the kernel resets them at once. After shutdown() with the socket still open, the ordinary tcp_retries2 applies instead.",
    '正常只持续一个往返时间。以下情况会拖长：FIN 前面还排着没发出的数据，而对端接收窗口为 0（对端不读数据，内核只能不断做零窗口探测）；或者对端不可达（FIN 一直在重传）。程序调用 close() 之后，这条连接就成了孤儿连接，重传和探测次数由 net.ipv4.tcp_orphan_retries 限定（0 表示 8 次，至少约 100 秒）；孤儿连接数超过 net.ipv4.tcp_max_orphans 时，内核会直接把它们重置。如果程序只调用了 shutdown() 而套接字仍然打开，则按普通的 tcp_retries2 计算。',
  ),
  why: t(
    'Many FIN_WAIT1 means many FINs are stuck. Typical causes: a server that closes or shuts down under load while clients are not reading, so their windows are zero and the remaining data and the FIN cannot leave; clients that disappeared with their host or network; or a firewall dropping packets in one direction. They are mostly orphans: the program has already closed them, the kernel finishes the job alone, each one can pin its unsent data in memory, and all count against tcp_max_orphans.',
    '大量 FIN_WAIT1 说明很多 FIN 发不出去或得不到确认。常见原因：服务端在高负载下关闭连接或停机，而客户端没在读数据，窗口为 0，剩下的数据和 FIN 都发不出去；客户端所在的主机或网络已经消失；或者防火墙单向丢包。这些连接大多是孤儿连接：程序已经关闭了它们，剩下的收尾由内核独自完成；每一条都可能占着未发送数据的内存，并且都计入 tcp_max_orphans。',
  ),
  settings: [
    ref('tcp_orphan_retries', true),
    ref('tcp_retries2', true),
    ref('tcp_max_orphans'),
    ref('SO_LINGER'),
  ],
  commands: [
    cmd(
      'tcpscope ls -s fin-wait-1 -o',
      "Send-Q still to send, and the timer: retransmit (peer silent) or probe (peer's window closed)",
      '查看待发数据量（Send-Q）和定时器：retransmit 表示对端没回应，probe 表示对端窗口为 0',
    ),
    cmd('tcpscope count --by peer -s fin-wait-1', 'which peers the FINs are stuck on', 'FIN 卡在哪些对端'),
    cmd('ss -tano state fin-wait-1', 'the same with ss', '用 ss 查看同样的信息'),
    cmd(
      'cat /proc/net/sockstat',
      'the orphan count, to compare with tcp_max_orphans',
      '查看孤儿连接数，与 tcp_max_orphans 对比',
    ),
    cmd(
      'nstat -az TcpExtTCPAbortOnMemory TcpExtTCPAbortOnTimeout',
      'orphans reset for lack of memory or after their retries',
      '因内存不足或重传耗尽而被重置的连接数',
    ),
    cmd(
      "dmesg | grep -i 'orphan'",
      "'too many orphaned sockets' warnings",
      '查看“too many orphaned sockets”告警',
    ),
  ],
  fix: [
    t(
      'Usually nothing: they end on their own within minutes. If they pile up, find the peers that are unreachable or not reading and fix that side.',
      '通常什么都不用做，几分钟内会自行结束。如果持续堆积，就找出那些不可达或不读数据的对端，从对端解决问题。',
    ),
    t(
      'A server that must stop under load can stop accepting, give clients time to finish, then close. On loaded servers the kernel documentation suggests lowering net.ipv4.tcp_orphan_retries so orphans are retried for less long.',
      '需要在高负载下停机的服务端，可以先停止接受新连接，给客户端一些时间收尾，再关闭。对负载很重的服务器，内核文档建议调小 net.ipv4.tcp_orphan_retries，缩短孤儿连接的重试时间。',
    ),
    t(
      'Raise net.ipv4.tcp_max_orphans only with memory to back it (each orphan may pin tens of kilobytes); do not lower it to hide the problem.',
      '只有在内存充足时才调大 net.ipv4.tcp_max_orphans（每个孤儿连接可能占用几十 KB）；不要为了掩盖问题而调小它。',
    ),
    t(
      'SO_LINGER with a zero timeout makes close() send a RST and skip the close handshake, discarding unsent data: use it only where losing that data is acceptable.',
      '把 SO_LINGER 的超时设为 0，close() 会直接发 RST、跳过挥手并丢弃未发送的数据：只在可以接受数据丢失的场合使用。',
    ),
  ],
  related: ['FIN_WAIT2', 'CLOSING', 'LAST_ACK', 'folklore'],
};
