/** "Address already in use" on restart. @see net/ipv4/inet_connection_sock.c (inet_bind_conflict) */
import { cmd, fixClaim, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const EADDRINUSE: TopicSource = {
  id: 'eaddrinuse',
  title: t(
    "'Address already in use' on restart (SO_REUSEADDR)",
    '重启时报“Address already in use”（SO_REUSEADDR）',
  ),
  summary: t(
    'bind() fails with EADDRINUSE when a server restarts while its old connections still hold the port, or while another process still listens on it; SO_REUSEADDR fixes the first case.',
    '服务端重启时，旧连接还占着端口，或者另一个进程还在监听它，bind() 就会报 EADDRINUSE；第一种情况用 SO_REUSEADDR 解决。',
  ),
  what: t(
    'When a server restarts, the connections of the old instance may still exist on its port: in TIME_WAIT if the server closed them first, or as orphans in FIN_WAIT2 or LAST_ACK. On Linux, bind() to that port then fails with EADDRINUSE unless the new socket sets SO_REUSEADDR and so did the sockets still on the port. Those inherit the option from the old listener, so a server that always sets it before bind() restarts cleanly. With SO_REUSEADDR, bind() succeeds as long as no socket is listening on the port. A process still listening on it (the old instance has not exited, or a second copy was started) makes bind() fail whatever the options; SO_REUSEPORT, a different option, lets several sockets listen on one port, only when all of them set it and belong to the same user.',
    '服务端重启时，旧实例的连接可能还在这个端口上：服务端先关闭的处于 TIME_WAIT，另一些是处于 FIN_WAIT2 或 LAST_ACK 的孤儿连接。在 Linux 上，这时 bind() 该端口会报 EADDRINUSE，除非新套接字设置了 SO_REUSEADDR，并且端口上残留的那些套接字当初也设置了。残留连接的这个选项继承自旧的监听套接字，所以只要服务端每次都在 bind() 之前设置它，重启就不会有问题。设置了 SO_REUSEADDR 后，只要端口上没有正在监听的套接字，bind() 就能成功。如果还有进程在监听这个端口（旧实例还没退出，或者又启动了一份），无论设置什么选项 bind() 都会失败；SO_REUSEPORT 是另一个选项，它允许多个套接字监听同一端口，前提是它们都设置了该选项并且属于同一用户。',
  ),
  signs: t(
    "The program logs 'bind: Address already in use' (EADDRINUSE) when it starts; `tcpscope who PORT` shows only TIME_WAIT or orphaned sockets on the port (the old instance's connections), or a process still in LISTEN.",
    '程序启动时打印“bind: Address already in use”（EADDRINUSE）；`tcpscope who PORT` 显示端口上只剩 TIME_WAIT 或孤儿连接（旧实例的连接），或者还有某个进程处于 LISTEN。',
  ),
  why: t(
    'bind() protects connections that still exist from being confused with a new socket on the same address and port. For the old connections in TIME_WAIT that protection is not needed to start a listener; SO_REUSEADDR says so, and Linux still refuses a second listener on the same port.',
    'bind() 的检查是为了防止仍然存在的连接与同一地址端口上的新套接字混淆。对于处于 TIME_WAIT 的旧连接，启动一个新的监听套接字并不需要这种保护；SO_REUSEADDR 就是告诉内核这一点，而 Linux 仍然不允许同一端口上出现第二个监听者。',
  ),
  settings: [ref('SO_REUSEADDR'), ref('SO_REUSEPORT'), ref('TCP_TIMEWAIT_LEN')],
  commands: [
    cmd(
      'tcpscope who PORT',
      'what still holds the port: a listener, or only leftovers',
      '端口被谁占着：是监听进程，还是只剩残留连接',
    ),
    cmd(
      'tcpscope ls --sport PORT -p -o',
      'every socket on the port with its timer',
      '端口上的所有套接字及其定时器',
    ),
    cmd('lsof -nP -iTCP:PORT', 'the same with lsof', '用 lsof 查看同样的信息'),
    cmd("ss -tanp 'sport = :PORT'", 'the same with ss', '用 ss 查看同样的信息'),
    cmd(
      'strace -f -e trace=setsockopt,bind PROGRAM',
      'does the program set SO_REUSEADDR before bind()?',
      '程序有没有在 bind() 之前设置 SO_REUSEADDR？',
    ),
  ],
  fix: [
    t(
      'Set SO_REUSEADDR on the listening socket before bind(). nginx, Node.js and Go do it by default; a plain socket in C or Python does not.',
      '在 bind() 之前给监听套接字设置 SO_REUSEADDR。nginx、Node.js、Go 默认都会设置；C 或 Python 里直接创建的套接字默认不会。',
    ),
    t(
      'If the old process is still listening, stop it first (find it with tcpscope who PORT).',
      '如果旧进程还在监听，先停掉它（用 tcpscope who PORT 找到它）。',
    ),
    t(
      'Do not try to shorten TIME_WAIT for this: it cannot be shortened, and SO_REUSEADDR makes it irrelevant.',
      '不要为此去缩短 TIME_WAIT：它本来就改不了，而有了 SO_REUSEADDR 它也无关紧要了。',
    ),
    t(
      'For restarts without downtime, hand the listening socket over (systemd socket activation, passing the descriptor), or let both instances listen with SO_REUSEPORT during the switch.',
      '要做到不中断服务的重启，可以移交监听套接字（systemd socket activation、传递文件描述符），或者切换期间用 SO_REUSEPORT 让新旧实例同时监听。',
    ),
  ],
  states: ['TIME_WAIT', 'LISTEN', 'FIN_WAIT2', 'LAST_ACK'],
  corrections: [
    fixClaim(
      t(
        'After a restart, a server has to sit out a 2MSL quiet time before it can serve again.',
        '服务端重启后，必须先“平静”地等过 2MSL 才能重新提供服务。',
      ),
      t(
        'With SO_REUSEADDR, which almost every server sets, it binds and serves at once. The quiet time of RFC 9293 §3.4.3 is something else: it concerns a host that crashed and lost track of its sequence numbers, and Linux does not apply it.',
        '设置了 SO_REUSEADDR（几乎所有服务端都会设置）就能立即绑定并提供服务。RFC 9293 §3.4.3 所说的“平静时间”是另一回事：它针对的是崩溃后丢失了序列号记录的主机，而且 Linux 并不实现它。',
      ),
    ),
  ],
  related: ['TIME_WAIT', 'time-wait', 'LISTEN'],
};
