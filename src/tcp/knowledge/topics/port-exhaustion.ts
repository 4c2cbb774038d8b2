/** Ephemeral port exhaustion. @see net/ipv4/inet_hashtables.c (__inet_hash_connect), tcp_ipv4.c (tcp_twsk_unique) */
import { cmd, fixClaim, ref, t } from '../_build.js';
import type { TopicSource } from '../types.js';

export const PORT_EXHAUSTION: TopicSource = {
  id: 'port-exhaustion',
  title: t('Ephemeral port exhaustion', '临时端口耗尽'),
  summary: t(
    'A client that opens many short connections to one destination runs out of local ports: connect() fails with EADDRNOTAVAIL.',
    '客户端向同一个目的地频繁建立短连接，本地端口会被用光：connect() 报 EADDRNOTAVAIL。',
  ),
  what: t(
    'An outgoing connection takes its local port from net.ipv4.ip_local_port_range, 32768 to 60999 by default: 28,232 ports. A connection is identified by both its addresses and both its ports, so the limit applies per destination: for each (local address, destination address, destination port) at most that many connections can exist at once, TIME_WAIT ones included. A client that connects to the same address and port and closes first leaves each connection in TIME_WAIT for 60 s, which caps it at about 28,232 / 60 ≈ 470 new connections per second to that destination. A program that calls bind() before connect() to choose a source address takes a port for every destination at once, and runs out much sooner, unless it sets IP_BIND_ADDRESS_NO_PORT.',
    '主动发起的连接从 net.ipv4.ip_local_port_range 中选取本地端口，默认是 32768 到 60999，共 28232 个。连接由两端的地址和端口这四元组标识，所以这个上限是按目的地计算的：对每个（本地地址，目的地址，目的端口）组合，最多同时存在这么多条连接，TIME_WAIT 也算在内。客户端如果总连同一个地址和端口并且先关闭，每条连接都会在 TIME_WAIT 中停留 60 秒，于是到这个目的地每秒最多新建约 28232 / 60 ≈ 470 条连接。如果程序在 connect() 之前先 bind() 以指定源地址，端口会对所有目的地同时占用，耗尽得快得多，除非设置 IP_BIND_ADDRESS_NO_PORT。',
  ),
  signs: t(
    "connect() fails with EADDRNOTAVAIL ('Cannot assign requested address'); many TIME_WAIT (or ESTABLISHED) towards one peer address and port; `tcpscope count --by peer -s time-wait` dominated by one peer; high CPU in connect() as the kernel searches longer for a free port.",
    'connect() 报 EADDRNOTAVAIL（“Cannot assign requested address”）；大量 TIME_WAIT（或 ESTABLISHED）指向同一个对端地址和端口；`tcpscope count --by peer -s time-wait` 的结果被某一个对端占满；内核搜索空闲端口越来越久，connect() 的 CPU 开销升高。',
  ),
  why: t(
    'For a fixed destination, the local port is the only part of the four-tuple a client can vary, and TIME_WAIT keeps each used port reserved for that destination for a minute. Proxies, load balancers and services that call one backend without reusing connections hit this first.',
    '对固定的目的地来说，四元组中客户端唯一能变化的只有本地端口，而 TIME_WAIT 会让每个用过的端口对该目的地保留一分钟。不复用连接的代理、负载均衡器和频繁调用同一个后端的服务最先碰到这个问题。',
  ),
  settings: [ref('ip_local_port_range'), ref('tcp_tw_reuse'), ref('tcp_timestamps'), ref('TCP_TIMEWAIT_LEN')],
  commands: [
    cmd(
      'tcpscope count --by peer -s time-wait',
      'which destination uses up the ports',
      '是哪个目的地耗尽了端口',
    ),
    cmd('tcpscope count --by peer', 'all states per destination', '按目的地统计各状态'),
    cmd(
      'tcpscope stat -n TCP 1 5',
      'active/s: outgoing connections per second',
      'active/s：每秒主动发起的连接数',
    ),
    cmd(
      'ss -tan state time-wait dst ADDRESS | wc -l',
      'TIME_WAIT towards one address',
      '指向某个地址的 TIME_WAIT 数量',
    ),
    cmd(
      'sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse net.ipv4.ip_local_reserved_ports',
      'the port range and reuse settings',
      '端口范围和复用设置',
    ),
  ],
  fix: [
    t(
      'Reuse connections: keep-alive and connection pools remove the problem instead of moving it.',
      '复用连接：keep-alive 和连接池能从根本上消除问题，而不是把它挪到别处。',
    ),
    t(
      'Use more source addresses (bind each connection to one of several local addresses with IP_BIND_ADDRESS_NO_PORT), or spread connections over several destination addresses or ports: the limit is per (source address, destination address, destination port).',
      '使用更多源地址（bind 到多个本地地址之一，并设置 IP_BIND_ADDRESS_NO_PORT），或把连接分散到多个目的地址或端口：上限是按（源地址，目的地址，目的端口）计算的。',
    ),
    t(
      'Widen net.ipv4.ip_local_port_range (for example 10000 65535), keeping clear of ports your services listen on (reserve them with net.ipv4.ip_local_reserved_ports).',
      '扩大 net.ipv4.ip_local_port_range（例如 10000 65535），注意避开本机服务监听的端口（用 net.ipv4.ip_local_reserved_ports 保留它们）。',
    ),
    t(
      'For outgoing connections only: set net.ipv4.tcp_tw_reuse=1 (the default 2 allows it on loopback only): connect() may then reuse a port whose connection to the same destination has been in TIME_WAIT for about a second or more, which TCP timestamps make safe.',
      '仅对主动发起的连接：设置 net.ipv4.tcp_tw_reuse=1（默认值 2 只允许环回地址）：这样 connect() 可以复用一个到同一目的地、已在 TIME_WAIT 中待了约 1 秒以上的端口，TCP 时间戳保证了这样做的安全。',
    ),
  ],
  states: ['TIME_WAIT', 'ESTABLISHED'],
  corrections: [
    fixClaim(
      t(
        'Turn on tcp_tw_recycle to recycle TIME_WAIT ports faster.',
        '打开 tcp_tw_recycle 可以更快地回收 TIME_WAIT 端口。',
      ),
      t(
        'tcp_tw_recycle broke connections from clients behind NAT and Linux 4.12 removed it; use tcp_tw_reuse.',
        'tcp_tw_recycle 会让 NAT 后面的客户端连接失败，Linux 4.12 已将其删除；请使用 tcp_tw_reuse。',
      ),
    ),
  ],
  related: ['TIME_WAIT', 'time-wait', 'SYN_SENT'],
};
