/** CLOSE (RFC: CLOSED): no connection. */
import { cmd, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const CLOSE: StateSource = {
  state: 'CLOSE',
  what: t(
    'No connection. RFC 9293 calls it CLOSED and describes it as fictional: it is the absence of a connection. Linux uses it for a socket that exists without a connection, either created or bound and not yet listening or connecting, or one whose connection is over (reset, timed out or fully closed) while the program still holds its file descriptor. When a connection really ends and no program holds it, the kernel frees it and nothing is left to list.',
    '没有连接。RFC 9293 把它叫作 CLOSED，并说明这是一个“虚构”的状态，表示连接不存在。Linux 用它表示存在但没有连接的套接字：要么刚创建或刚 bind，还没有监听或发起连接；要么连接已经结束（被重置、超时或完全关闭），但程序还握着它的文件描述符。如果连接真正结束且没有程序持有，内核会直接释放它，列表里什么也不会留下。',
  ),
  reachedBy: t(
    "Every connection starts and ends here. It comes back from LAST_ACK when the ACK of our FIN arrives, from TIME_WAIT when the 60 s are over, from SYN_SENT on a refusal or a timeout, from a listener that is closed, and from any state on a RST or an abort (retries exhausted, SO_LINGER with zero timeout, too many orphans). You will rarely see it listed: the kernel's tables hold listening and connected sockets, and a socket in CLOSE is in neither.",
    '每条连接都从这里开始，也在这里结束。LAST_ACK 收到对本端 FIN 的 ACK、TIME_WAIT 的 60 秒到期、SYN_SENT 被拒绝或超时、监听套接字被关闭，以及任何状态下收到 RST 或被中止（重传耗尽、SO_LINGER 超时为 0、孤儿连接过多）时，都会回到 CLOSE。列表里很少能看到它：内核的表只收录监听中和已连接的套接字，处于 CLOSE 的套接字两者都不是。',
  ),
  duration: t(
    'No timer: a socket stays in CLOSE until its program closes the descriptor or exits.',
    '没有定时器：套接字会一直停在 CLOSE，直到程序关闭描述符或进程退出。',
  ),
  why: t(
    "Sockets a program keeps in CLOSE are descriptors it forgot to close after a connection failed or ended: a descriptor leak like a CLOSE_WAIT leak, only after a reset or a timeout. Count the process's open descriptors; a count that keeps growing ends in EMFILE (Too many open files).",
    '程序持有的 CLOSE 套接字，是连接失败或结束后忘了关闭的描述符：和 CLOSE_WAIT 泄漏是同一类问题，只不过发生在连接被重置或超时之后。数一数进程打开的描述符；如果数量一直增长，最终会遇到 EMFILE（Too many open files）。',
  ),
  settings: [],
  commands: [
    cmd(
      'tcpscope ls -s close -p',
      'CLOSE sockets tcpscope can see, with their process',
      'tcpscope 能看到的 CLOSE 套接字及其进程',
    ),
    cmd(
      "ls -l /proc/PID/fd | grep -c 'socket:'",
      'how many sockets a process holds',
      '统计某进程持有的套接字数',
    ),
    cmd("grep 'open files' /proc/PID/limits", "the process's descriptor limit", '查看进程的文件描述符上限'),
    cmd('lsof -nP -p PID', 'everything the process holds open', '列出进程打开的所有文件'),
  ],
  fix: [
    t(
      'Close sockets on every path, errors included (try/finally, with, defer, RAII: whatever the language offers).',
      '在每一条路径上都关闭套接字，包括出错的路径（用语言提供的 try/finally、with、defer、RAII 等机制）。',
    ),
    t(
      'A process near its descriptor limit leaks descriptors: fix the leak before raising the limit.',
      '进程的描述符快用完了，说明存在泄漏：先修复泄漏，再考虑调高上限。',
    ),
  ],
  related: ['CLOSE_WAIT', 'close-wait-leak'],
};
