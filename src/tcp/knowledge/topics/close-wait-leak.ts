/** CLOSE_WAIT leaks: the program's bug. */
import { cmd, fixClaim, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const CLOSE_WAIT_LEAK: TopicSource = {
  id: 'close-wait-leak',
  title: t('CLOSE_WAIT leak', 'CLOSE_WAIT 泄漏'),
  summary: t(
    'Connections the peer has closed but the local program never closes: a bug in the program, not in the network.',
    '对端已经关闭、本地程序却一直不关闭的连接：这是程序的 bug，不是网络问题。',
  ),
  what: t(
    'When the peer closes, our kernel acknowledges its FIN, moves the connection to CLOSE_WAIT and waits for the program: read() returns 0 (end of file), and the program is expected to close() the socket. A program that misses this keeps the socket in CLOSE_WAIT, with its file descriptor, for as long as it runs. There is no timer: the kernel cannot close a descriptor the program still owns.',
    '对端关闭时，本端内核确认它的 FIN，把连接转入 CLOSE_WAIT，然后等程序处理：read() 返回 0（EOF），程序理应 close() 这个套接字。如果程序漏掉了这一步，套接字就会带着文件描述符一直停在 CLOSE_WAIT，直到进程退出。这里没有定时器：程序还持有的描述符，内核无权替它关闭。',
  ),
  signs: t(
    "A CLOSE_WAIT count that grows over time and belongs to one process; often a Recv-Q above 0 (data the program never read); the process's descriptor count creeping towards its limit, then 'Too many open files' (EMFILE) errors. On the peers, the matching connections sit in FIN_WAIT2 until their tcp_fin_timeout and then vanish.",
    'CLOSE_WAIT 数量随时间不断增长，而且都属于同一个进程；Recv-Q 常常大于 0（程序从没读过的数据）；进程的描述符数逐渐逼近上限，最后报出“Too many open files”（EMFILE）。在对端，对应的连接停在 FIN_WAIT2，等到对端的 tcp_fin_timeout 到期后消失。',
  ),
  why: t(
    'Common causes: a read loop that ignores end of file; an error path that returns without closing; a connection pool that keeps connections the server closed on an idle timeout and never checks them; worker threads stuck (deadlock, a slow dependency) so nobody serves the socket; a listener that stops calling accept(), leaving connections whose clients already left in its queue.',
    '常见原因：读循环忽略了 EOF；出错分支直接返回而没有关闭；连接池里留着被服务端因空闲超时关掉的连接，却从不检查；工作线程卡住了（死锁、依赖的服务太慢），没人处理这个套接字；监听程序不再调用 accept()，客户端已经离开的连接在队列里越积越多。',
  ),
  settings: [],
  commands: [
    cmd('tcpscope count --by process -s close-wait', 'the process to blame', '找出责任进程'),
    cmd(
      'tcpscope ls -s close-wait -p',
      'its connections: ports, peers, Recv-Q',
      '它的连接：端口、对端、Recv-Q',
    ),
    cmd(
      'tcpscope count --by peer -s close-wait',
      'which peer or service closed on it',
      '是哪个对端或服务关闭了连接',
    ),
    cmd('lsof -nP -iTCP -sTCP:CLOSE_WAIT', 'the same with lsof', '用 lsof 查看同样的信息'),
    cmd('ss -tanp state close-wait', 'the same with ss', '用 ss 查看同样的信息'),
    cmd(
      "ls /proc/PID/fd | wc -l; grep 'open files' /proc/PID/limits",
      'descriptors in use against the limit',
      '已用描述符数与上限',
    ),
    cmd("gdb -p PID -batch -ex 'thread apply all bt'", 'where its threads are stuck', '看线程卡在哪里'),
  ],
  fix: [
    t(
      'Find the process and the code path: tcpscope names the process, a thread dump shows where it is stuck, and the peers and ports tell which client or dependency is involved.',
      '找出进程和代码路径：tcpscope 能告诉你是哪个进程，线程转储能看出卡在哪里，对端和端口能说明涉及哪个客户端或依赖服务。',
    ),
    t(
      'Fix the code: close on end of file and on every error path (try/finally, with, defer, RAII); validate pooled connections before use, or evict idle ones before the server times them out.',
      '修复代码：读到 EOF 时、以及每个出错分支都要关闭（try/finally、with、defer、RAII）；连接池在使用前校验连接，或在服务端超时之前淘汰空闲连接。',
    ),
    t(
      'Restarting the process clears them until the leak fills up again; no sysctl, keepalive setting or firewall change will.',
      '重启进程能暂时清掉它们，直到泄漏再次积累；任何 sysctl、保活设置或防火墙调整都做不到这一点。',
    ),
  ],
  states: ['CLOSE_WAIT', 'FIN_WAIT2', 'LAST_ACK'],
  corrections: [
    fixClaim(
      t(
        'CLOSE_WAIT piles up because clients drop their connections, a network problem.',
        'CLOSE_WAIT 堆积是因为客户端断开了连接，属于网络问题。',
      ),
      t(
        'A peer closing is normal. CLOSE_WAIT piles up only when the local program does not call close(); the network plays no part.',
        '对端关闭连接是正常行为。只有本地程序不调用 close()，CLOSE_WAIT 才会堆积；这与网络毫无关系。',
      ),
    ),
    fixClaim(
      t(
        'Lowering tcp_keepalive_time or tcp_fin_timeout clears CLOSE_WAIT.',
        '调小 tcp_keepalive_time 或 tcp_fin_timeout 可以清掉 CLOSE_WAIT。',
      ),
      t(
        'Neither helps. tcp_fin_timeout is for orphaned FIN_WAIT2, and keepalive can at most turn a CLOSE_WAIT into a reset socket that the program still holds.',
        '都没用。tcp_fin_timeout 管的是孤儿 FIN_WAIT2；保活最多把 CLOSE_WAIT 变成一个已被重置、但仍被程序占着的套接字。',
      ),
    ),
  ],
  related: ['CLOSE_WAIT', 'FIN_WAIT2', 'accept-queue-overflow'],
};
