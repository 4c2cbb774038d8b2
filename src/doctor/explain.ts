/**
 * Why a finding matters, what fixes it, what to run next: from the knowledge base (src/tcp/knowledge)
 * for the rules it covers, and from short texts here for the rest. Pure.
 */

import { knowledgeOf, type StateKnowledge, type TopicKnowledge } from '../tcp/knowledge/index.js';
import { SOURCES } from './sources.js';
import type { Explainer } from './types.js';

type Bilingual = { en: string; zh: string };
const t = (en: string, zh: string): Bilingual => ({ en, zh });

/** Rules the knowledge base has no entry for yet: why and fixes, in both languages. */
const LOCAL: Record<string, { why: Bilingual; fix: Bilingual[]; commands: string[] }> = {
  'connect-failures': {
    why: t(
      'A connect() that fails never reaches ESTABLISHED: an RST answering the SYN (ECONNREFUSED: nothing listens on that port), no answer until the SYN retries run out (ETIMEDOUT, about 131 s by default), or an ICMP error (EHOSTUNREACH). TcpAttemptFails counts them for the namespace; the kernel reports each one to the calling process, which usually retries at once and in a loop.',
      'connect() 失败时连接永远到不了 ESTABLISHED：SYN 被 RST 回应（ECONNREFUSED：该端口无人监听），SYN 重传用尽仍无应答（ETIMEDOUT，默认约 131 秒），或收到 ICMP 错误（EHOSTUNREACH）。TcpAttemptFails 按命名空间统计这些失败；内核把每次失败报告给调用的进程，而它往往立刻循环重试。',
    ),
    fix: [
      t(
        'Check the destination: is the service up and listening on that address and port (`tcpscope who PORT` on its host)? A wrong address or port in the configuration is the usual cause.',
        '检查目的地：服务是否在那个地址和端口上监听（在其主机上运行 `tcpscope who PORT`）？配置里写错地址或端口是最常见的原因。',
      ),
      t(
        'Make the client back off between retries (exponential backoff with jitter) instead of retrying in a tight loop.',
        '让客户端在重试之间退避（带抖动的指数退避），不要紧密循环重试。',
      ),
    ],
    commands: ['tcpscope stat -n ETCP 1 10'],
  },
  'recv-queue': {
    why: t(
      'Recv-Q counts bytes the kernel has received and acknowledged but the program has not read. When it stays up or grows, the program is stuck, busy or has stopped reading that socket; the kernel shrinks the advertised window and the peer slows down or stalls.',
      'Recv-Q 是内核已收到并确认、但程序还没有读走的字节数。它一直不降甚至增长，说明程序卡住、太忙或不再读这个套接字；内核会缩小通告窗口，对端随之变慢甚至停住。',
    ),
    fix: [
      t(
        'Look at what the program is doing (a stack dump, `strace -p PID`): a blocked thread or a full worker pool usually explains it.',
        '看程序在做什么（线程栈、`strace -p PID`）：通常是线程阻塞或工作池占满。',
      ),
      t(
        'Make sure every connection is read until EOF, and that reading does not wait on work that itself waits.',
        '确保每个连接都会被读到 EOF，读取不要依赖同样在等待的任务。',
      ),
    ],
    commands: ['tcpscope ls -p --sort recvq --reverse'],
  },
  'send-queue': {
    why: t(
      'The peer advertises a zero window: it does not read what it has received, so our data queues in Send-Q and the kernel probes the window (timer "probe"). The fault is on the reading side.',
      '对端通告零窗口：它没有读走已收到的数据，于是本端数据积压在 Send-Q 中，内核用零窗口探测定时器（probe）试探。问题在读数据的那一端。',
    ),
    fix: [
      t(
        'Find the peer program and why it stopped reading; a slow consumer needs back-pressure or a timeout on our side.',
        '找出对端程序为什么不读；面对慢消费者，本端要有背压或超时。',
      ),
      t(
        'Set TCP_USER_TIMEOUT (or an application timeout) so writes to a dead reader do not wait forever.',
        '设置 TCP_USER_TIMEOUT（或应用层超时），避免对着不读数据的对端无限等待。',
      ),
    ],
    commands: ['tcpscope ls -o -p --sort sendq --reverse'],
  },
  'tcp-memory': {
    why: t(
      'TCP buffers, orphans and TIME_WAIT sockets share host-wide limits (tcp_mem in pages, tcp_max_orphans, tcp_max_tw_buckets). Past them the kernel shrinks buffers, kills orphans ("too many orphaned sockets") or skips TIME_WAIT, and connections suffer.',
      'TCP 缓冲区、孤儿套接字和 TIME_WAIT 共用全机上限（以页计的 tcp_mem、tcp_max_orphans、tcp_max_tw_buckets）。超过后内核会压缩缓冲区、直接销毁孤儿连接（日志里的 "too many orphaned sockets"）或不再保留 TIME_WAIT，连接质量随之下降。',
    ),
    fix: [
      t(
        'Find who holds the memory: large Recv-Q/Send-Q, many orphans (FIN_WAIT1 to slow peers), many TIME_WAIT.',
        '先找出谁占着内存：大的 Recv-Q/Send-Q、大量孤儿（卡在慢对端的 FIN_WAIT1）、大量 TIME_WAIT。',
      ),
      t(
        'Raise the limits only after that, and with the memory to back them (`sysctl net.ipv4.tcp_mem`, `tcp_max_orphans`).',
        '确认原因后再按内存余量调高上限（`sysctl net.ipv4.tcp_mem`、`tcp_max_orphans`）。',
      ),
    ],
    commands: ['tcpscope counters --delta TcpExtTCPMemory* TcpExtTCPAbortOnMemory', 'cat /proc/net/sockstat'],
  },
  retransmits: {
    why: t(
      'A retransmission is a segment sent again because no ACK came in time or the receiver reported a gap. A few per cent of all segments means loss, congestion or a peer that stalls; RTO timeouts (TCPTimeouts) hurt most, each one a pause of at least 200 ms.',
      '重传是因为没有及时收到 ACK 或接收方报告了缺口而再次发送的报文段。占全部报文段的几个百分点，就意味着丢包、拥塞或对端卡顿；其中 RTO 超时（TCPTimeouts）最伤，每次至少停顿 200 毫秒。',
    ),
    fix: [
      t(
        'Find the connections and peers with the most retransmissions (`tcpscope ls -i`), then the path to them (interface errors, `tcpdump` of one flow).',
        '找出重传最多的连接和对端（`tcpscope ls -i`），再查到它们的路径（网卡错误、对单条流抓包）。',
      ),
    ],
    commands: ['tcpscope stat -n ETCP 1 10'],
  },
  resets: {
    why: t(
      'Resets end connections at once. EstabResets counts established connections reset by either side; OutRsts counts the RSTs we send: to ports nobody listens on, on close() with unread data, or on aborts. A jump usually means a peer or program restarting, a scan, or a program closing without reading.',
      'RST 会立即终止连接。EstabResets 统计被任意一方复位的已建立连接；OutRsts 统计本端发出的 RST：发往无人监听的端口、带着未读数据 close()、或主动中止。突然增多通常是对端或程序重启、有人扫描、或程序不读完就关闭。',
    ),
    fix: [
      t(
        'See which ports and peers get the resets (`tcpdump "tcp[tcpflags] & tcp-rst != 0"`), then the program on each end.',
        '看是哪些端口和对端收到 RST（`tcpdump "tcp[tcpflags] & tcp-rst != 0"`），再查两端的程序。',
      ),
    ],
    commands: ['tcpscope stat -n ETCP 1 10'],
  },
};

/** The explanation of one rule's findings, in `lang`. */
export const explainRule: Explainer = (rule, lang) => {
  const local = LOCAL[rule];
  if (local)
    return { why: local.why[lang], remedies: local.fix.map((f) => f[lang]), commands: local.commands };
  const entries: (StateKnowledge | TopicKnowledge)[] = (SOURCES[rule] ?? []).map((s) => knowledgeOf(s, lang));
  return {
    why: entries.map((e) => e.why.split('\n\n')[0]).join('\n\n'),
    remedies: [...new Set(entries.flatMap((e) => e.fix))],
    commands: [...new Set(entries.flatMap((e) => e.commands.map((c) => c.command)))],
  };
};
