/** LISTEN: a server's passive socket. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const LISTEN: StateSource = {
  state: 'LISTEN',
  what: t(
    "A passive socket: a program bound an address and port and called listen(), and the kernel now answers connection requests for it. A listener never carries data itself. Each connection that completes the handshake becomes a new socket, which waits in the listener's accept queue until the program calls accept(). In `ss -lnt`, a listener's Recv-Q is the number of connections waiting in that queue and Send-Q is the queue's limit (the backlog).",
    '被动打开的套接字：程序绑定了地址和端口并调用了 listen()，内核开始替它应答连接请求。监听套接字本身从不收发数据。每条完成三次握手的连接都会变成一个新的套接字，先放进监听套接字的 accept 队列（全连接队列），等程序调用 accept() 取走。在 `ss -lnt` 的输出里，监听套接字的 Recv-Q 是队列中等待 accept 的连接数，Send-Q 是队列上限（backlog）。',
  ),
  reachedBy: t(
    "Only a server, and only from CLOSED: socket(), bind(), listen() (RFC 9293 calls this a passive OPEN). RFC 9293's Figure 5 moves LISTEN to SYN-RECEIVED when a SYN arrives; Linux instead leaves the listener in LISTEN and creates a separate request socket in SYN_RECV for each SYN, so one listener serves any number of connections. It leaves LISTEN only when the program closes it or exits; connections still waiting in its accept queue are then reset.",
    '只有服务端会进入 LISTEN，而且只能从 CLOSED 进入：依次调用 socket()、bind()、listen()（RFC 9293 称之为被动打开）。RFC 9293 图 5 画的是收到 SYN 后 LISTEN 转为 SYN-RECEIVED；Linux 的做法不同：监听套接字始终停在 LISTEN，每收到一个 SYN 就另建一个处于 SYN_RECV 的请求套接字，所以一个监听套接字能同时服务任意多条连接。只有程序关闭它或进程退出时它才离开 LISTEN，此时 accept 队列里还没被取走的连接会被 RST 重置。',
  ),
  duration: t(
    'As long as the program keeps the socket open. No timer applies: LISTEN is the steady state of every server.',
    '程序不关闭就一直存在，没有任何定时器。LISTEN 是所有服务端程序的常态。',
  ),
  why: t(
    'Many listeners are normal on a server: one per service and address family, and with SO_REUSEPORT one per worker process. What matters is not how many but whose. A port nobody expected, a service bound to 0.0.0.0 or :: that should only listen on 127.0.0.1, or a listener whose program runs from /tmp or from a deleted file may be a backdoor: check the program behind every listener. A listener whose Recv-Q stays at its Send-Q has a full accept queue: the program does not call accept() fast enough.',
    '服务器上有很多监听端口是正常的：每个服务、每个地址族各一个，用了 SO_REUSEPORT 的话每个工作进程还各有一个。要关注的不是数量，而是它们属于谁。没人知道来历的端口、本该只监听 127.0.0.1 却绑在 0.0.0.0 或 :: 上的服务、程序文件位于 /tmp 或已被删除的监听进程，都可能是后门：每个监听端口都要核对背后的程序。如果某个监听套接字的 Recv-Q 一直顶在 Send-Q 上，说明 accept 队列满了，程序调用 accept() 的速度跟不上。',
  ),
  settings: [ref('somaxconn'), ref('SO_REUSEADDR'), ref('SO_REUSEPORT')],
  commands: [
    cmd(
      'tcpscope ls -s listen -p',
      'every listening port with the program that holds it',
      '列出所有监听端口及持有它的程序',
    ),
    cmd('tcpscope who PORT', 'who holds this port, at either end', '查看谁占用了这个端口（本端或对端）'),
    cmd(
      'ss -ltnp',
      'the same with ss: Recv-Q is the accept queue, Send-Q its limit',
      '用 ss 查看：Recv-Q 是 accept 队列长度，Send-Q 是上限',
    ),
    cmd('netstat -ntlp', 'the classic listing of listeners', '传统的监听端口列表'),
    cmd('lsof -nP -iTCP -sTCP:LISTEN', 'listeners with their programs', '列出监听套接字及其进程'),
    cmd(
      'ls -l /proc/PID/exe /proc/PID/cwd',
      "where an unexpected listener's program lives ('(deleted)' is a red flag)",
      '查看可疑监听进程的程序文件和工作目录（显示“(deleted)”要警惕）',
    ),
    cmd('systemctl status PID', 'which service started the process', '查看是哪个服务启动了该进程'),
    cmd(
      'nstat -az TcpExtListenOverflows TcpExtListenDrops',
      'accept-queue overflows since boot',
      '开机以来 accept 队列溢出的次数',
    ),
  ],
  fix: [
    t(
      'Stop and disable services you do not need; bind internal services to 127.0.0.1 or a private address rather than 0.0.0.0; filter the rest with the firewall.',
      '停掉并禁用不需要的服务；内部服务绑定到 127.0.0.1 或内网地址，不要绑 0.0.0.0；其余的用防火墙过滤。',
    ),
    t(
      'For a listener you cannot explain: find its program, parent and service, check the file against the package manager (dpkg -S, rpm -qf), and treat a listener running from a deleted or temporary path as a compromise until proven otherwise.',
      '遇到说不清来历的监听端口：查出它的程序、父进程和所属服务，用包管理器（dpkg -S、rpm -qf）核对程序文件；程序位于临时目录或已被删除的，在排除嫌疑之前一律按入侵处理。',
    ),
    t(
      "For a full accept queue: make the program accept faster, and raise listen()'s backlog together with net.core.somaxconn (see accept-queue-overflow).",
      'accept 队列满：让程序更快地 accept，同时调大 listen() 的 backlog 和 net.core.somaxconn（见 accept-queue-overflow）。',
    ),
  ],
  related: ['accept-queue-overflow', 'syn-flood', 'eaddrinuse', 'SYN_RECV', 'folklore'],
};
