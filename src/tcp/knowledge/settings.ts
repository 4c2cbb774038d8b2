/**
 * The knobs and constants that decide how long states last and how queues behave, each described
 * once, so every entry that cites one says the same thing.
 *
 * @see Documentation/networking/ip-sysctl.rst (sysctls and their defaults)
 * @see include/net/tcp.h (TCP_TIMEWAIT_LEN), net/ipv4/tcp_timer.c (retries), net/ipv4/tcp.c (tcp_close)
 */
import type { Bilingual, SettingSource } from './types.js';

/** A default that reads the same in both languages, or `[en, zh]`. */
type Default = string | readonly [string, string];
const dflt = (d: Default): Bilingual => (typeof d === 'string' ? { en: d, zh: d } : { en: d[0], zh: d[1] });

const sysctl = (name: string, d: Default, en: string, zh: string): SettingSource => ({
  name,
  kind: 'sysctl',
  default: dflt(d),
  effect: { en, zh },
});
const sockopt = (name: string, d: Default, en: string, zh: string): SettingSource => ({
  name,
  kind: 'socket-option',
  default: dflt(d),
  effect: { en, zh },
});

/** Every setting an entry may cite, by key. */
export const SETTINGS = {
  tcp_syn_retries: sysctl(
    'net.ipv4.tcp_syn_retries',
    '6',
    'How long connect() waits for an answer to its SYN, as a count the kernel turns into time ((2^(n+1) − 1) s: 127 s for 6); it fails with ETIMEDOUT at the first retransmission timer after that. On Linux 6.5 and later with the defaults: 10 retransmissions and failure at about 131 s; with 2: five retransmissions and failure at about 7 s. Per socket: TCP_SYNCNT.',
    'connect() 等待 SYN 应答的时长，以次数表示，内核把它换算成时间（(2^(n+1) − 1) 秒：6 对应 127 秒）；超过后在下一次重传定时器到期时以 ETIMEDOUT 失败。Linux 6.5 及以后的默认设置：重传 10 次，约 131 秒失败；设为 2 时：重传 5 次，约 7 秒失败。单个套接字可用 TCP_SYNCNT 覆盖。',
  ),
  tcp_syn_linear_timeouts: sysctl(
    'net.ipv4.tcp_syn_linear_timeouts',
    ['4 (Linux 6.5+)', '4（Linux 6.5 起）'],
    'How many SYN retransmissions keep the initial one-second timeout before the usual doubling starts (the first five retransmissions come one second apart). The give-up time stays the one tcp_syn_retries sets, so they add retransmissions, not time.',
    '在指数退避开始之前，保持 1 秒初始超时的 SYN 重传次数（前五次重传间隔都是 1 秒）。放弃的时间仍由 tcp_syn_retries 决定，所以它增加的是重传次数，而不是时间。',
  ),
  tcp_synack_retries: sysctl(
    'net.ipv4.tcp_synack_retries',
    '5',
    'SYN+ACK retransmissions before a pending connection request (SYN_RECV) is dropped: about 63 s.',
    '放弃一个未完成的连接请求（SYN_RECV）之前重传 SYN+ACK 的次数：默认约 63 秒。',
  ),
  tcp_syncookies: sysctl(
    'net.ipv4.tcp_syncookies',
    '1',
    "1: answer with SYN cookies once a listener's queue of pending requests is full; 0: drop SYNs instead; 2: always send cookies (for testing).",
    '1：监听套接字的半连接队列满了以后改用 SYN cookie 应答；0：直接丢弃 SYN；2：始终发送 cookie（仅用于测试）。',
  ),
  tcp_max_syn_backlog: sysctl(
    'net.ipv4.tcp_max_syn_backlog',
    ['128 or more, by memory', '至少 128，随内存增大'],
    'Used when SYN cookies are off: once fewer than a quarter of this many request slots are left, SYNs from peers the kernel has not talked to before are dropped. The listen backlog limits pending requests too.',
    '仅在关闭 SYN cookie 时起作用：剩余请求槽位不足四分之一时，丢弃来自陌生对端的 SYN。半连接数同时也受 listen 的 backlog 限制。',
  ),
  somaxconn: sysctl(
    'net.core.somaxconn',
    ['4096 (128 before Linux 5.4)', '4096（Linux 5.4 之前为 128）'],
    "Upper limit for the backlog a program passes to listen(): the length of the listener's accept queue and of its queue of pending requests.",
    '程序传给 listen() 的 backlog 的上限，决定监听套接字的全连接队列（accept 队列）和半连接队列的长度。',
  ),
  tcp_abort_on_overflow: sysctl(
    'net.ipv4.tcp_abort_on_overflow',
    '0',
    "1: answer with a RST when the accept queue is full; 0: drop the handshake's last ACK and let the client retry.",
    '1：accept 队列满时直接回 RST；0：丢弃握手的最后一个 ACK，让客户端重试。',
  ),
  tcp_keepalive_time: sysctl(
    'net.ipv4.tcp_keepalive_time',
    ['7200 s (2 h)', '7200 秒（2 小时）'],
    'Idle time before the first keepalive probe, for sockets that enabled SO_KEEPALIVE. Per socket: TCP_KEEPIDLE.',
    '开启了 SO_KEEPALIVE 的连接空闲多久后发出第一个保活探测。单个套接字可用 TCP_KEEPIDLE 覆盖。',
  ),
  tcp_keepalive_intvl: sysctl(
    'net.ipv4.tcp_keepalive_intvl',
    ['75 s', '75 秒'],
    'Interval between unanswered keepalive probes. Per socket: TCP_KEEPINTVL.',
    '保活探测没有回应时，两次探测之间的间隔。单个套接字可用 TCP_KEEPINTVL 覆盖。',
  ),
  tcp_keepalive_probes: sysctl(
    'net.ipv4.tcp_keepalive_probes',
    '9',
    'Unanswered keepalive probes before the connection is dropped. Per socket: TCP_KEEPCNT.',
    '连续多少个保活探测无回应就断开连接。单个套接字可用 TCP_KEEPCNT 覆盖。',
  ),
  tcp_retries2: sysctl(
    'net.ipv4.tcp_retries2',
    '15',
    'Retransmissions of unacknowledged data before a connection a program still holds is aborted: at least 924.6 s, about 15 minutes. Per socket: TCP_USER_TIMEOUT.',
    '程序仍持有的连接上，数据一直得不到确认时，放弃连接前的重传次数：至少 924.6 秒，约 15 分钟。单个套接字可用 TCP_USER_TIMEOUT 覆盖。',
  ),
  tcp_orphan_retries: sysctl(
    'net.ipv4.tcp_orphan_retries',
    ['0 (means 8)', '0（即 8 次）'],
    'Retransmissions before the kernel gives up a connection its program has already closed (an orphan in FIN_WAIT1, CLOSING or LAST_ACK, zero-window probes included). 0 means 8: at least about 100 s.',
    '程序已经 close() 的连接（处于 FIN_WAIT1、CLOSING 或 LAST_ACK 的孤儿连接，包括零窗口探测）在放弃前的重传次数。0 表示 8 次，至少约 100 秒。',
  ),
  tcp_max_orphans: sysctl(
    'net.ipv4.tcp_max_orphans',
    ['by memory', '随内存而定'],
    "How many orphaned connections may exist at once; beyond it the kernel resets them ('too many orphaned sockets' in the kernel log).",
    '同时允许存在的孤儿连接数上限；超过后内核直接用 RST 终止它们，内核日志会出现“too many orphaned sockets”。',
  ),
  tcp_fin_timeout: sysctl(
    'net.ipv4.tcp_fin_timeout',
    ['60 s', '60 秒'],
    "How long an orphaned connection (already closed by its program) may wait in FIN_WAIT2 for the peer's FIN. Per socket: TCP_LINGER2. It has no effect on TIME_WAIT.",
    '已被程序 close() 的孤儿连接在 FIN_WAIT2 中等待对端 FIN 的最长时间。单个套接字可用 TCP_LINGER2 覆盖。它与 TIME_WAIT 的时长无关。',
  ),
  TCP_TIMEWAIT_LEN: {
    name: 'TCP_TIMEWAIT_LEN',
    kind: 'constant',
    default: { en: '60 s', zh: '60 秒' },
    effect: {
      en: 'How long TIME_WAIT lasts, compiled into the kernel (include/net/tcp.h). No sysctl changes it.',
      zh: 'TIME_WAIT 的持续时间，编译在内核里（include/net/tcp.h），没有任何 sysctl 能改它。',
    },
  },
  tcp_max_tw_buckets: sysctl(
    'net.ipv4.tcp_max_tw_buckets',
    ['by memory', '随内存而定'],
    'How many TIME_WAIT sockets may exist; beyond it, closing connections are freed without one. Only the counter TcpExtTCPTimeWaitOverflow says so: modern kernels no longer log "time wait bucket table overflow".',
    '同时存在的 TIME_WAIT 套接字上限；超过后新关闭的连接不再进入 TIME_WAIT 而是直接释放。只有计数器 TcpExtTCPTimeWaitOverflow 会记录：新内核已不再在日志里打印“time wait bucket table overflow”。',
  ),
  tcp_tw_reuse: sysctl(
    'net.ipv4.tcp_tw_reuse',
    '2',
    'Lets connect() reuse a local port whose last connection to the same destination is in TIME_WAIT, when TCP timestamps make it safe: 0 off, 1 on, 2 loopback only. Outgoing connections only.',
    '允许 connect() 复用一个本地端口，即使它到同一目的地的上一条连接还在 TIME_WAIT，前提是 TCP 时间戳能保证安全：0 关闭，1 开启，2 仅环回地址。只对主动发起的连接有效。',
  ),
  ip_local_port_range: sysctl(
    'net.ipv4.ip_local_port_range',
    '32768 60999',
    'The ephemeral ports connect() picks local ports from: 28,232 ports by default.',
    'connect() 自动分配本地端口时使用的临时端口范围，默认共 28232 个。',
  ),
  tcp_timestamps: sysctl(
    'net.ipv4.tcp_timestamps',
    '1',
    'TCP timestamps (RFC 7323). They let the kernel reject old duplicate segments (PAWS), which tcp_tw_reuse relies on.',
    'TCP 时间戳（RFC 7323）。内核靠它识别并丢弃旧的重复报文（PAWS），tcp_tw_reuse 依赖它。',
  ),
  SO_REUSEADDR: sockopt(
    'SO_REUSEADDR',
    ['off', '关闭'],
    'Lets bind() take a port still used by connections that are not listening (TIME_WAIT and the like). On Linux both the old sockets and the new one must have it.',
    '允许 bind() 绑定仍被非监听连接（如 TIME_WAIT）占用的端口。在 Linux 上，旧套接字和新套接字都必须设置它。',
  ),
  SO_REUSEPORT: sockopt(
    'SO_REUSEPORT',
    ['off', '关闭'],
    'Lets several sockets of the same user listen on one port; the kernel spreads incoming connections between them.',
    '允许同一用户的多个套接字监听同一端口，内核把新连接分摊给它们。',
  ),
  SO_KEEPALIVE: sockopt(
    'SO_KEEPALIVE',
    ['off', '关闭'],
    'Turns keepalive probes on for one socket. Off unless the program sets it.',
    '为单个套接字打开保活探测。程序不设置就是关闭的。',
  ),
  TCP_USER_TIMEOUT: sockopt(
    'TCP_USER_TIMEOUT',
    ['0 (off)', '0（关闭）'],
    'How long sent data may stay unacknowledged before the kernel drops the connection, instead of tcp_retries2.',
    '已发送数据最多可以多久得不到确认，超时即断开连接；设置后取代 tcp_retries2 的判断。',
  ),
  SO_LINGER: sockopt(
    'SO_LINGER',
    ['off', '关闭'],
    'With a zero timeout, close() sends a RST and discards unsent data: no FIN handshake, no TIME_WAIT, and lost data.',
    '超时设为 0 时，close() 直接发送 RST 并丢弃未发送的数据：不走 FIN 挥手，也没有 TIME_WAIT，但数据会丢。',
  ),
} satisfies Record<string, SettingSource>;

/** A key of the catalogue. */
export type SettingKey = keyof typeof SETTINGS;
