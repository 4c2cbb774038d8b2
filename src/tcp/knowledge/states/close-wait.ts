/** CLOSE_WAIT: the peer closed; the local program has not. */
import { cmd, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const CLOSE_WAIT: StateSource = {
  state: 'CLOSE_WAIT',
  what: t(
    'The peer has closed its sending side: its FIN arrived and was acknowledged, and the local program has not closed yet. The program has been told: its next read() returns 0, end of file. The kernel can do nothing more until the program calls close() or shutdown().',
    '对端已经关闭了它的发送方向：它的 FIN 已到达并被确认，而本地程序还没有关闭。程序其实已经得到通知：下一次 read() 会返回 0，即 EOF。在程序调用 close() 或 shutdown() 之前，内核什么也做不了。',
  ),
  reachedBy: t(
    "Either end, the one that closes second (the passive closer), from ESTABLISHED when the peer's FIN arrives. When the program closes, the kernel sends our FIN and the connection moves to LAST_ACK. A connection can also reach CLOSE_WAIT while it still waits in a listener's accept queue: the client gave up before the program called accept().",
    '后关闭的一端（被动关闭方）会进入，任一端都有可能：在 ESTABLISHED 收到对端的 FIN 时转入。程序关闭后，内核发出本端的 FIN，连接转入 LAST_ACK。还在监听套接字 accept 队列里排队的连接也可能进入 CLOSE_WAIT：程序还没来得及 accept()，客户端就已经放弃了。',
  ),
  duration: t(
    'No timer ends it: CLOSE_WAIT lasts until the local program calls close(), or exits and the kernel closes its descriptors. No sysctl limits it, and the network has no part in it. With SO_KEEPALIVE, a probe may draw a RST from a peer that has forgotten the connection; the socket then drops to CLOSE, but the program still holds the descriptor.',
    '没有任何定时器会结束它：CLOSE_WAIT 一直持续到本地程序调用 close()，或者进程退出、由内核关闭它的描述符。没有 sysctl 能限制它，它也和网络无关。如果开启了 SO_KEEPALIVE，保活探测可能会换来对端（已经忘记这条连接）的 RST，套接字随之变为 CLOSE，但描述符仍然被程序占着。',
  ),
  why: t(
    'Many CLOSE_WAIT is a bug in the local program, never the network: it does not close connections after the peer hangs up. Typical causes: a read loop that ignores end of file; an error path that returns without closing; a connection pool that never notices the server closed its idle connections; threads blocked elsewhere so nobody serves the socket; or a listener that stopped calling accept(), so connections whose clients already left pile up in its queue. Each keeps a descriptor and kernel memory, and the process ends up failing with EMFILE (Too many open files).',
    '大量 CLOSE_WAIT 是本地程序的 bug，绝不是网络问题：对端挂断后，程序没有关闭连接。常见原因：读循环忽略了 EOF；出错分支直接返回而没有关闭；连接池没发现服务端已经关掉了空闲连接；线程卡在别处，没人处理这个套接字；或者监听程序不再调用 accept()，客户端已经离开的连接在队列里越积越多。每一条都占着一个描述符和内核内存，进程最终会因 EMFILE（Too many open files）而出错。',
  ),
  settings: [],
  commands: [
    cmd(
      'tcpscope count --by process -s close-wait',
      'the program that does not close',
      '找出不关闭连接的程序',
    ),
    cmd(
      'tcpscope ls -s close-wait -p',
      'the connections with ports, peers and Recv-Q (data never read)',
      '查看这些连接的端口、对端和 Recv-Q（从未读取的数据）',
    ),
    cmd(
      'tcpscope count --by peer -s close-wait',
      'which peers or services closed on it',
      '是哪些对端或服务关闭了连接',
    ),
    cmd('ss -tanp state close-wait', 'the same with ss', '用 ss 查看同样的信息'),
    cmd('lsof -nP -iTCP -sTCP:CLOSE_WAIT', 'the same with lsof', '用 lsof 查看同样的信息'),
    cmd(
      "ls /proc/PID/fd | wc -l; grep 'open files' /proc/PID/limits",
      'descriptors in use against the limit',
      '已用的描述符数与上限',
    ),
    cmd(
      "gdb -p PID -batch -ex 'thread apply all bt'",
      'where the threads are (or jstack PID, py-spy dump --pid PID)',
      '查看线程卡在哪里（也可用 jstack PID、py-spy dump --pid PID）',
    ),
  ],
  fix: [
    t(
      'Fix the program: close the socket when read() returns 0 or an error, on every path; in pools, validate connections before use or evict idle ones before the server times them out.',
      '修复程序：read() 返回 0 或出错时关闭套接字，每条路径都要关；连接池在使用前检查连接是否有效，或在服务端超时之前淘汰空闲连接。',
    ),
    t(
      'Until it is fixed, restarting the program releases them (the kernel then sends the FINs). No sysctl, keepalive setting or firewall rule makes CLOSE_WAIT go away.',
      '修好之前，重启程序可以释放它们（内核会替它发出 FIN）。任何 sysctl、保活设置或防火墙规则都无法消除 CLOSE_WAIT。',
    ),
    t(
      "If they wait in a listener's queue (tcpscope shows 'queued on listener'), the program is not accepting: see accept-queue-overflow.",
      '如果它们在监听套接字的队列里（tcpscope 显示为 queued on listener），说明程序没有在 accept：见 accept-queue-overflow。',
    ),
  ],
  related: ['close-wait-leak', 'FIN_WAIT2', 'LAST_ACK', 'accept-queue-overflow', 'folklore'],
};
