/** CLOSING: simultaneous close, waiting for the ACK of our FIN. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const CLOSING: StateSource = {
  state: 'CLOSING',
  what: t(
    "Both ends closed at about the same time: we sent a FIN, and before the peer acknowledged it, the peer's own FIN arrived. We have acknowledged the peer's FIN and wait for the ACK of ours.",
    '双方几乎同时关闭：本端发出了 FIN，在对端确认之前，先收到了对端自己的 FIN。本端已经确认了对端的 FIN，正在等对端确认本端的 FIN。',
  ),
  reachedBy: t(
    'Either end, from FIN_WAIT1, when a FIN arrives that does not acknowledge our FIN: a simultaneous close (RFC 9293 §3.6, Figure 5). The ACK of our FIN then moves it to TIME_WAIT, so after a simultaneous close both ends wait in TIME_WAIT.',
    '任一端都可能进入：在 FIN_WAIT1 收到一个没有确认本端 FIN 的 FIN，也就是双方同时关闭（RFC 9293 §3.6、图 5）。之后收到对本端 FIN 的 ACK 就转入 TIME_WAIT，所以同时关闭之后，两端都会进入 TIME_WAIT。',
  ),
  duration: t(
    'One round trip normally. While the peer advertises a zero window, our FIN waits behind unsent data on the persist timer (zero-window probes) for as long as the peer answers them. If the ACK of our FIN never comes, the FIN is retransmitted as in FIN_WAIT1: bounded by net.ipv4.tcp_orphan_retries when the program has closed the socket (the usual case), by tcp_retries2 otherwise.',
    '正常只持续一个往返时间。对端通告零窗口时，本端的 FIN 排在未发出的数据后面，停在持续定时器（零窗口探测）上，只要对端应答探测就一直等待。如果一直收不到对本端 FIN 的 ACK，就会像 FIN_WAIT1 那样重传 FIN：程序已关闭套接字时（通常如此）受 net.ipv4.tcp_orphan_retries 限制，否则受 tcp_retries2 限制。',
  ),
  why: t(
    "CLOSING is rare, because both ends must close within one round trip of each other. Many of them mean the peers' ACKs get lost: packet loss, or a firewall or middlebox that drops ACKs in one direction, often together with a protocol where both sides close at the same moment.",
    'CLOSING 很少见，因为两端必须在一个往返时间之内先后关闭。大量出现说明对端的 ACK 丢了：网络丢包，或者防火墙、中间设备单向丢弃 ACK，通常还伴随着两端按协议约定在同一时刻关闭连接。',
  ),
  settings: [ref('tcp_orphan_retries', true), ref('tcp_retries2', true)],
  commands: [
    cmd(
      'tcpscope ls -s closing -o',
      'the connections and their retransmission timers',
      '查看这些连接及其重传定时器',
    ),
    cmd('tcpscope count --by peer -s closing', 'which peers are involved', '涉及哪些对端'),
    cmd('ss -tano state closing', 'the same with ss', '用 ss 查看同样的信息'),
    cmd(
      "tcpdump -ni any 'host PEER and tcp[tcpflags] & tcp-fin != 0'",
      'the FINs and ACKs on the wire',
      '抓包查看 FIN 和 ACK',
    ),
    cmd('nstat -az TcpRetransSegs', 'retransmissions since boot', '开机以来的重传报文数'),
  ],
  fix: [
    t(
      'Look for the packet loss or the middlebox between the peers; the state clears itself after the retries.',
      '排查两端之间的丢包或中间设备；重传耗尽后这个状态会自行清除。',
    ),
  ],
  related: ['FIN_WAIT1', 'TIME_WAIT'],
};
