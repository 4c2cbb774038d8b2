/** SYN_SENT: a client's connect() waiting for the SYN+ACK. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const SYN_SENT: StateSource = {
  state: 'SYN_SENT',
  what: t(
    'An active open in progress: a program called connect(), the kernel sent a SYN, and it is waiting for the SYN+ACK. Only the connecting end, the client, is ever in SYN_SENT.',
    '主动打开正在进行：程序调用了 connect()，内核已发出 SYN，正在等对方的 SYN+ACK。只有发起连接的一端（客户端）才会处于 SYN_SENT。',
  ),
  reachedBy: t(
    "The client, from CLOSED, when connect() sends the SYN (RFC 9293 §3.5, Figure 5). A SYN+ACK that acknowledges our SYN moves it to ESTABLISHED, and the kernel sends the handshake's last ACK. A RST in answer ends the attempt at once with ECONNREFUSED: nothing listens on that port. An ICMP error, such as host unreachable or administratively prohibited from a router or firewall, also ends it at once (EHOSTUNREACH). A bare SYN from the other side, a simultaneous open, moves it to SYN_RECV; that is rare.",
    '客户端在 connect() 发出 SYN 时从 CLOSED 进入（RFC 9293 §3.5、图 5）。收到确认了本端 SYN 的 SYN+ACK 后进入 ESTABLISHED，内核随即发出握手的最后一个 ACK。如果对方回的是 RST，连接尝试立刻以 ECONNREFUSED 失败：那个端口上没有程序在监听。收到 ICMP 错误（比如路由器或防火墙返回的主机不可达、管理性禁止）也会立刻失败（EHOSTUNREACH）。如果收到的是对方的纯 SYN（双方同时打开，很少见），则转入 SYN_RECV。',
  ),
  duration: t(
    'One round trip when the peer answers. When nothing answers, the kernel retransmits the SYN, and connect() fails with ETIMEDOUT once the time that net.ipv4.tcp_syn_retries stands for has passed ((2^(n+1) − 1) s: 127 s for the default 6), at the next retransmission timer. Since Linux 6.5 the first retransmissions come one second apart (tcp_syn_linear_timeouts, 4) before the intervals double: measured on 6.18 with the defaults, 10 retransmissions at about 1, 2, 3, 4, 5, 7, 11, 19, 35 and 68 s, and connect() failing at about 131 s; with tcp_syn_retries=2, five retransmissions one second apart and failure at about 7 s. A program can stop sooner with its own connect timeout, or per socket with TCP_SYNCNT or TCP_USER_TIMEOUT.',
    '对方有应答时只持续一个往返时间。如果一直没有应答，内核会重传 SYN，等 net.ipv4.tcp_syn_retries 所代表的时间（(2^(n+1) − 1) 秒：默认 6 对应 127 秒）过去后，在下一次重传定时器到期时让 connect() 以 ETIMEDOUT 失败。Linux 6.5 起，前几次重传间隔固定为 1 秒（tcp_syn_linear_timeouts，默认 4），之后间隔才翻倍：在 6.18 上实测，默认设置下共重传 10 次，大约在第 1、2、3、4、5、7、11、19、35、68 秒，约 131 秒时 connect() 失败；tcp_syn_retries=2 时，重传 5 次、每次间隔 1 秒，约 7 秒时失败。程序可以用自己的连接超时提前结束，也可以在单个套接字上设置 TCP_SYNCNT 或 TCP_USER_TIMEOUT。',
  ),
  why: t(
    "A few SYN_SENT that come and go are normal. Many that stay mean the SYNs get no answer at all: the destination is down, a firewall on the way silently drops them (a rejecting firewall would end the attempt at once), or the server's SYN queue overflows with SYN cookies off. If they go to one or a few destinations, that service is unreachable from here: check routes and firewalls, and whether the program retries too eagerly. If they go to many addresses or many ports, something on this machine is scanning: a scanner you started, or a worm or a compromised process looking for victims. Find the process.",
    '偶尔出现、很快消失的 SYN_SENT 是正常的。大量且长时间停留的 SYN_SENT 说明 SYN 根本没有得到回应：目标主机宕机，或者途中的防火墙把 SYN 悄悄丢弃了（如果是拒绝型规则，连接会立刻失败），或者服务端在关闭 SYN cookie 的情况下半连接队列溢出。如果它们都指向一个或少数几个目的地，说明从本机访问不到那个服务：检查路由和防火墙，以及程序是否重试得太频繁。如果指向大量不同的地址或端口，说明本机上有东西在扫描：可能是你自己运行的扫描器，也可能是蠕虫或被入侵的进程在寻找下一个目标。找出这个进程。',
  ),
  settings: [
    ref('tcp_syn_retries', true),
    ref('tcp_syn_linear_timeouts', true),
    ref('TCP_USER_TIMEOUT', true),
    ref('ip_local_port_range'),
  ],
  commands: [
    cmd(
      'tcpscope count --by peer -s syn-sent',
      'one destination or many (unreachable service or scan)?',
      '目的地是一个还是很多（服务不可达还是在扫描）？',
    ),
    cmd('tcpscope count --by process -s syn-sent', 'which program is connecting', '是哪个程序在发起连接'),
    cmd(
      'tcpscope ls -s syn-sent -p -o',
      'each attempt with its process and SYN retransmission timer',
      '逐条查看连接尝试、所属进程和 SYN 重传定时器',
    ),
    cmd('ss -tanpo state syn-sent', 'the same with ss', '用 ss 查看同样的信息'),
    cmd(
      "tcpdump -ni any 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'",
      'the SYNs going out, and whether anything answers',
      '抓取发出的 SYN，看有没有回应',
    ),
    cmd(
      'nstat -az TcpActiveOpens TcpAttemptFails',
      'connection attempts started and failed since boot',
      '开机以来发起的连接数和失败数',
    ),
    cmd('ip route get ADDRESS', 'the route to one destination', '查看到某个目的地址的路由'),
  ],
  fix: [
    t(
      'Unreachable destination: fix the route, the firewall rule or the service; make clients fail fast with a connect timeout and back off between retries instead of piling up attempts.',
      '目的地不可达：修复路由、防火墙规则或服务本身；给客户端设置连接超时，让它尽快失败，并在重试之间退避，不要不停堆积连接尝试。',
    ),
    t(
      'Scanning you did not start: find and stop the process, find out how it got there, block the outbound traffic it should not send, and treat the machine as compromised.',
      '不是你发起的扫描：找到并停止该进程，查明它是怎么来的，封掉它不该有的出站流量，并按主机已被入侵处理。',
    ),
    t(
      'Do not shorten net.ipv4.tcp_syn_retries for the whole machine just to hide the symptom; give the program a connect timeout (or TCP_SYNCNT on its sockets).',
      '不要为了掩盖现象而在整台机器上调小 net.ipv4.tcp_syn_retries；应该给程序设置连接超时（或在它的套接字上设置 TCP_SYNCNT）。',
    ),
  ],
  related: ['folklore', 'SYN_RECV', 'port-exhaustion'],
};
