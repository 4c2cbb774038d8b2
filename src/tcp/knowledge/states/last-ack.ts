/** LAST_ACK: we closed second and wait for the ACK of our FIN. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const LAST_ACK: StateSource = {
  state: 'LAST_ACK',
  what: t(
    'The peer closed first, then the local program closed too: our FIN has been sent and we wait for the peer to acknowledge it. That ACK ends the connection on this side.',
    '对端先关闭，随后本地程序也关闭了：本端的 FIN 已经发出，正在等对端确认。收到这个 ACK，本端的连接就彻底结束了。',
  ),
  reachedBy: t(
    "Either end, the one that closes second, from CLOSE_WAIT when the program calls close() and the kernel sends its FIN. The peer's ACK moves it to CLOSED; the peer, which closed first, is then in TIME_WAIT.",
    '后关闭的一端：程序在 CLOSE_WAIT 中调用 close()、内核发出 FIN 后进入。收到对端的 ACK 后转入 CLOSED；先关闭的对端此时处于 TIME_WAIT。',
  ),
  duration: t(
    'One round trip normally. If the ACK does not come, the FIN is retransmitted; and while the peer advertises a zero window (it does not read), the FIN cannot even be sent: the socket stays on the persist timer, probing the window, for as long as the peer answers the probes. The program has usually closed the socket by now, so it is an orphan: net.ipv4.tcp_orphan_retries bounds the retries (0 means 8: at least about 100 s), and net.ipv4.tcp_max_orphans caps how many such orphans may exist.',
    '正常只持续一个往返时间。收不到 ACK 时会重传 FIN；如果对端通告零窗口（它不读数据），FIN 甚至发不出去：套接字停在持续定时器（persist timer）上探测窗口，只要对端应答探测就一直停留。此时程序通常已经关闭了套接字，它是一条孤儿连接：重传次数由 net.ipv4.tcp_orphan_retries 限定（0 表示 8 次，至少约 100 秒），net.ipv4.tcp_max_orphans 限制这类孤儿连接的总数。',
  ),
  why: t(
    "Many LAST_ACK means our FINs go unanswered: the peer's host vanished after it sent its own FIN (power cut, a stopped VM, a laptop off the network), the path to it broke, or a firewall drops our packets. A peer program being killed does not cause it: when a process dies, its kernel closes its sockets and still answers our FIN, with an ACK from its FIN_WAIT2 or TIME_WAIT, or with a RST, so LAST_ACK ends within a round trip. Only a peer whose whole machine or network is gone leaves LAST_ACK behind.",
    '大量 LAST_ACK 说明本端的 FIN 没人应答：对端主机在发出自己的 FIN 之后消失了（断电、虚拟机被停掉、笔记本离开了网络），或者到它的路径断了，或者防火墙丢弃了本端的报文。对端程序被杀掉不会造成这种情况：进程死掉时，它所在的内核会关闭它的套接字，并且照样应答本端的 FIN（由处于 FIN_WAIT2 或 TIME_WAIT 的连接回 ACK，或者回 RST），LAST_ACK 在一个往返内就会结束。只有对端整台机器或整个网络消失，才会留下 LAST_ACK。',
  ),
  settings: [ref('tcp_orphan_retries', true), ref('tcp_max_orphans')],
  commands: [
    cmd('tcpscope count --by peer -s last-ack', 'which peers stopped answering', '哪些对端不再应答'),
    cmd('tcpscope ls -s last-ack -o', 'the retransmission timer and retry count', '查看重传定时器和重试次数'),
    cmd('ss -tano state last-ack', 'the same with ss', '用 ss 查看同样的信息'),
    cmd('ping -c 3 PEER; ip route get PEER', 'is the peer reachable at all?', '对端到底能不能到达？'),
    cmd(
      "tcpdump -ni any 'host PEER and tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'",
      'our FINs going out, and whether anything comes back',
      '看本端的 FIN 是否发出，以及有没有任何回应',
    ),
  ],
  fix: [
    t(
      'Find out why those peers vanished (crashed or powered-off hosts, a broken link, a firewall or NAT timeout) and fix that.',
      '查明这些对端为什么消失（主机崩溃或断电、链路故障、防火墙或 NAT 超时），从根源上解决。',
    ),
    t(
      'They clean themselves up after the orphan retries; lower net.ipv4.tcp_orphan_retries if they hold too much memory meanwhile.',
      '孤儿重传耗尽后它们会自行清除；如果这期间占用内存太多，可以调小 net.ipv4.tcp_orphan_retries。',
    ),
  ],
  related: ['CLOSE_WAIT', 'FIN_WAIT1', 'half-open', 'folklore'],
};
