/**
 * What the kernel knows about a connection beyond its state: `struct tcp_info` (as `ss -i` shows it)
 * and the socket's memory (`ss -m`). Field names are the kernel's without the `tcpi_` prefix and
 * values are in the kernel's units, as the JSON contract asks. Pure data.
 * @see include/uapi/linux/tcp.h (struct tcp_info), include/uapi/linux/sock_diag.h (SK_MEMINFO_*)
 */

/** The tcp_info fields, in struct order; the first byte (the state) is left out. */
export const TCP_INFO_FIELDS = [
  'ca_state',
  'retransmits',
  'probes',
  'backoff',
  'options',
  'snd_wscale',
  'rcv_wscale',
  'delivery_rate_app_limited',
  'fastopen_client_fail',
  /** Microseconds, as rtt, rttvar, rcv_rtt and min_rtt are. */
  'rto',
  'ato',
  'snd_mss',
  'rcv_mss',
  'unacked',
  'sacked',
  'lost',
  'retrans',
  'fackets',
  /** Milliseconds ago, as the other `last_*` are. */
  'last_data_sent',
  'last_ack_sent',
  'last_data_recv',
  'last_ack_recv',
  'pmtu',
  'rcv_ssthresh',
  'rtt',
  'rttvar',
  'snd_ssthresh',
  'snd_cwnd',
  'advmss',
  'reordering',
  'rcv_rtt',
  'rcv_space',
  'total_retrans',
  /** Bytes per second, as delivery_rate is; both pacing rates are left out when ~0 (no limit). */
  'pacing_rate',
  'max_pacing_rate',
  'bytes_acked',
  'bytes_received',
  'segs_out',
  'segs_in',
  'notsent_bytes',
  'min_rtt',
  'data_segs_in',
  'data_segs_out',
  'delivery_rate',
  /** Microseconds busy sending, limited by the peer's receive window, limited by the send buffer. */
  'busy_time',
  'rwnd_limited',
  'sndbuf_limited',
  'delivered',
  'delivered_ce',
  'bytes_sent',
  'bytes_retrans',
  'dsack_dups',
  'reord_seen',
  'rcv_ooopack',
  'snd_wnd',
  'rcv_wnd',
  'rehash',
  'total_rto',
  'total_rto_recoveries',
  /** Milliseconds. */
  'total_rto_time',
  'received_ce',
  'delivered_e1_bytes',
  'delivered_e0_bytes',
  'delivered_ce_bytes',
  'received_e1_bytes',
  'received_e0_bytes',
  'received_ce_bytes',
  'accecn_fail_mode',
  'accecn_opt_seen',
] as const;

export type TcpInfoField = (typeof TCP_INFO_FIELDS)[number];

/**
 * tcp_info of one socket. A kernel older than a field leaves it out. `cong` is the congestion
 * control algorithm (INET_DIAG_CONG), not a tcp_info field.
 */
export type TcpInfo = { [K in TcpInfoField]?: number } & { cong?: string };

/** The SK_MEMINFO_* counters in their order, named as the kernel names them (lower case). */
export const SOCKET_MEMORY_FIELDS = [
  'rmem_alloc',
  'rcvbuf',
  'wmem_alloc',
  'sndbuf',
  'fwd_alloc',
  'wmem_queued',
  'optmem',
  'backlog',
  'drops',
] as const;

export type SocketMemoryField = (typeof SOCKET_MEMORY_FIELDS)[number];

/** A socket's memory in bytes (drops: packets), as `ss -m` prints in `skmem:(...)`. */
export type SocketMemory = { [K in SocketMemoryField]?: number };
