/**
 * The events tcpscope reads from tracefs, as typed values. Pure data: the kernel's names, what each
 * event says, and the protocol and state numbers its records carry.
 * @see include/trace/events/sock.h (inet_sock_set_state, inet_sk_error_report)
 * @see include/trace/events/tcp.h (tcp_retransmit_skb, tcp_send_reset, tcp_receive_reset, ...)
 */

/** `system/name` of each event tcpscope can enable. */
export const TRACE_EVENTS = {
  inet_sock_set_state: 'sock/inet_sock_set_state',
  inet_sk_error_report: 'sock/inet_sk_error_report',
  tcp_retransmit_skb: 'tcp/tcp_retransmit_skb',
  tcp_retransmit_synack: 'tcp/tcp_retransmit_synack',
  tcp_send_reset: 'tcp/tcp_send_reset',
  tcp_receive_reset: 'tcp/tcp_receive_reset',
  sys_exit_connect: 'syscalls/sys_exit_connect',
} as const;

export type TraceEventName = keyof typeof TRACE_EVENTS;

/** Every event name, `inet_sock_set_state` first. */
export const TRACE_EVENT_NAMES = Object.keys(TRACE_EVENTS) as TraceEventName[];

/** IP protocol numbers the state event reports (TCP is the one tcpscope keeps). */
export const IPPROTO = { TCP: 6, DCCP: 33, SCTP: 132, MPTCP: 262 } as const;

/** Kernel state codes beyond the 11 user-visible states (request sockets, bound-only sockets). */
export const TCP_NEW_SYN_RECV = 12;
export const TCP_BOUND_INACTIVE = 13;

/** What every record carries: where and when it was written, and by which thread. */
export interface TraceEventBase {
  /** Trace-clock time of the record, nanoseconds (the instance's clock, `mono` by default). */
  readonly ns: number;
  /** Wall time in milliseconds since the epoch (ns mapped through the clock offset). */
  readonly timeMs: number;
  readonly cpu: number;
  /** The thread that ran when the event fired (in softirq: whoever's packet it was). */
  readonly pid: number;
  /** The process name from the text pipe, when read from there. */
  readonly comm?: string;
}

/** An endpoint pair as the events report it: family 4 or 6, addresses in the contract's text. */
export interface EventEndpoints {
  readonly family: 4 | 6;
  readonly saddr: string;
  readonly daddr: string;
  readonly sport: number;
  readonly dport: number;
}

export interface SetStateEvent extends TraceEventBase, EventEndpoints {
  readonly event: 'inet_sock_set_state';
  /** The socket's kernel address as hex, the identity that pairs its events ('' from the text pipe). */
  readonly skaddr: string;
  readonly protocol: number;
  /** Kernel state codes (1..12). */
  readonly oldstate: number;
  readonly newstate: number;
}

export interface ErrorReportEvent extends TraceEventBase, EventEndpoints {
  readonly event: 'inet_sk_error_report';
  readonly protocol: number;
  /** The socket's error, positive (111 for ECONNREFUSED). */
  readonly error: number;
}

export interface RetransmitEvent extends TraceEventBase, EventEndpoints {
  readonly event: 'tcp_retransmit_skb' | 'tcp_retransmit_synack';
  readonly skaddr: string;
  /** State code of the socket (absent for SYN+ACKs, sent by a request socket). */
  readonly state?: number;
}

export interface ResetEvent extends TraceEventBase, EventEndpoints {
  readonly event: 'tcp_send_reset' | 'tcp_receive_reset';
  readonly skaddr: string;
  readonly state?: number;
  /** Why the kernel sent it (6.10+: `enum sk_rst_reason`, as a number). */
  readonly reason?: number;
}

export interface ConnectExitEvent extends TraceEventBase {
  readonly event: 'sys_exit_connect';
  /** connect()'s return: 0, or a negative errno (-111, -99, -115 for EINPROGRESS). */
  readonly ret: number;
}

/** One decoded tracefs event. */
export type TraceEvent = SetStateEvent | ErrorReportEvent | RetransmitEvent | ResetEvent | ConnectExitEvent;
