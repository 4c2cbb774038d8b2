/** FIN_WAIT2: our FIN is acknowledged; waiting for the peer to close. */
import { cmd, ref, t } from '../_build.js';
import type { StateSource } from '../types.js';

export const FIN_WAIT2: StateSource = {
  state: 'FIN_WAIT2',
  what: t(
    'Our FIN has been acknowledged: this end will send no more data and waits for the peer to close its side. The connection is half closed; the peer may still send data our way.',
    '本端的 FIN 已被确认：本端不会再发数据，正在等对端关闭它那一侧。连接处于半关闭状态，对端仍然可以继续向本端发送数据。',
  ),
  reachedBy: t(
    "Either end, the one that closed first, from FIN_WAIT1 when the peer acknowledges our FIN. The peer's FIN then moves it to TIME_WAIT. Meanwhile the peer is in CLOSE_WAIT: a FIN_WAIT2 here is the mirror image of a CLOSE_WAIT there.",
    '先关闭的那一端，在 FIN_WAIT1 收到对端对本端 FIN 的确认后进入。之后收到对端的 FIN 就转入 TIME_WAIT。与此同时对端处于 CLOSE_WAIT：这边的 FIN_WAIT2 和那边的 CLOSE_WAIT 是一一对应的。',
  ),
  duration: t(
    "It depends on whether a program still holds the socket. After shutdown() with the socket still open, the program may keep reading, and FIN_WAIT2 lasts as long as the peer keeps its side open, with no timer, as RFC 9293 describes. After close(), the connection is an orphan nobody can read from, and Linux does not wait forever: a small timewait socket (substate FIN_WAIT2) keeps it for net.ipv4.tcp_fin_timeout seconds (default 60; per socket TCP_LINGER2) and then drops it silently. If the peer's FIN comes in time, the connection moves on to TIME_WAIT. tcp_fin_timeout governs only this orphaned FIN_WAIT2 and has no effect on how long TIME_WAIT lasts.",
    '要看是否还有程序持有这个套接字。如果程序只调用了 shutdown()、套接字仍然打开，程序还能继续读数据，FIN_WAIT2 会一直持续到对端关闭为止，没有定时器，这与 RFC 9293 的描述一致。如果程序已经 close()，这就是一条没人能再读的孤儿连接，Linux 不会无限等下去：内核用一个小的 timewait 套接字（子状态为 FIN_WAIT2）保留它 net.ipv4.tcp_fin_timeout 秒（默认 60，单个套接字可用 TCP_LINGER2 覆盖），到期后悄悄丢弃。如果对端的 FIN 及时到达，连接就转入 TIME_WAIT。tcp_fin_timeout 只管这种孤儿 FIN_WAIT2，与 TIME_WAIT 持续多久无关。',
  ),
  why: t(
    'Many FIN_WAIT2 means peers that acknowledged our FIN but do not close their side. Look at the peer: it probably holds those connections in CLOSE_WAIT because its program does not call close(), a bug on that side, not here. Orphans disappear after tcp_fin_timeout; connections a program still holds after shutdown() stay until the peer or the program closes them.',
    '大量 FIN_WAIT2 说明对端确认了本端的 FIN，却迟迟不关闭自己那一侧。去对端看看：那边的连接多半卡在 CLOSE_WAIT，原因是对端程序没有调用 close()，这是对端的 bug，不是本端的。孤儿连接会在 tcp_fin_timeout 后消失；程序用 shutdown() 半关闭后仍持有的连接，则会一直留到对端或本端程序关闭为止。',
  ),
  settings: [ref('tcp_fin_timeout', true)],
  commands: [
    cmd('tcpscope count --by peer -s fin-wait-2', 'which peers do not close', '哪些对端迟迟不关闭'),
    cmd(
      'tcpscope ls -s fin-wait-2 -p -o',
      'held by a program (half close) or an orphan (timer timewait)',
      '区分是程序持有的半关闭连接，还是孤儿连接（定时器为 timewait）',
    ),
    cmd(
      'ss -tano state fin-wait-2',
      'the same with ss; orphans show a timewait timer',
      '用 ss 查看；孤儿连接显示 timewait 定时器',
    ),
    cmd(
      'tcpscope count --by process -s close-wait',
      'run on the peer: the program that does not close',
      '在对端机器上运行：找出不关闭连接的程序',
    ),
  ],
  fix: [
    t(
      "Fix the peer's program so it closes connections when it reads end of file (see close-wait-leak).",
      '修复对端程序，让它在读到 EOF 时关闭连接（见 close-wait-leak）。',
    ),
    t(
      'Orphans: a lower net.ipv4.tcp_fin_timeout drops them sooner (a peer that sends later then gets a RST).',
      '孤儿连接：调小 net.ipv4.tcp_fin_timeout 可以让它们更早被清掉（对端之后再发数据会收到 RST）。',
    ),
    t(
      'A program that half-closes with shutdown() must still close() the socket when it is done.',
      '用 shutdown() 做半关闭的程序，用完后仍然必须 close() 套接字。',
    ),
  ],
  related: ['close-wait-leak', 'CLOSE_WAIT', 'TIME_WAIT', 'folklore'],
};
