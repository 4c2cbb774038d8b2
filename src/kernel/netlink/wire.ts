/**
 * The wire layouts of NETLINK_SOCK_DIAG as named constants: message types, flags, struct offsets and
 * attribute numbers, each with the kernel header it comes from. Pure data.
 *
 * Byte order: netlink headers and the numbers of inet_diag_msg are in host order; the ports and
 * addresses of `inet_diag_sockid` are in network order (big-endian).
 */

/**
 * Netlink itself.
 * @see include/uapi/linux/netlink.h
 */
export const AF_NETLINK = 16;
export const NETLINK_SOCK_DIAG = 4;
/** struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; } */
export const NLMSG = { len: 0, type: 4, flags: 6, seq: 8, pid: 12, SIZE: 16 } as const;
/** Messages and attributes are padded to 4 bytes (NLMSG_ALIGN, NLA_ALIGN). */
export const ALIGN = 4;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
/** NLM_F_ROOT | NLM_F_MATCH. */
export const NLM_F_DUMP = 0x300;
/** Set on dump messages when the table changed during the dump (ours de-duplicates anyway). */
export const NLM_F_DUMP_INTR = 0x10;
/** struct nlmsgerr { int error; struct nlmsghdr msg; } */
export const NLMSGERR = { error: 0, SIZE: 4 + NLMSG.SIZE } as const;
/** struct nlattr { __u16 nla_len; __u16 nla_type; } */
export const NLA = { len: 0, type: 2, SIZE: 4 } as const;
/** nla_type carries two flag bits above the type number. */
export const NLA_TYPE_MASK = 0x3fff;

/**
 * sock_diag's message types.
 * @see include/uapi/linux/sock_diag.h
 */
export const SOCK_DIAG_BY_FAMILY = 20;
export const SOCK_DESTROY = 21;
/**
 * The original TCP dump request (inet_diag_req, "v1"), still served: its handler sets the family to
 * AF_UNSPEC, so one walk of the kernel's hash tables returns IPv4 and IPv6 sockets together, where
 * SOCK_DIAG_BY_FAMILY walks them once per family. Replies carry this type too.
 * @see include/uapi/linux/inet_diag.h, net/ipv4/inet_diag.c inet_diag_dump_compat()
 */
export const TCPDIAG_GETSOCK = 18;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;

/**
 * struct inet_diag_sockid: ports and addresses big-endian, the interface and cookie host order.
 * @see include/uapi/linux/inet_diag.h
 */
export const SOCKID = {
  sport: 0,
  dport: 2,
  src: 4,
  dst: 20,
  if: 36,
  cookie: 40,
  SIZE: 48,
} as const;

/**
 * struct inet_diag_req_v2 { __u8 sdiag_family, sdiag_protocol, idiag_ext, pad; __u32 idiag_states;
 * struct inet_diag_sockid id; }
 * @see include/uapi/linux/inet_diag.h
 */
export const REQ_V2 = { family: 0, protocol: 1, ext: 2, states: 4, id: 8, SIZE: 8 + SOCKID.SIZE } as const;

/**
 * struct inet_diag_req { __u8 idiag_family, idiag_src_len, idiag_dst_len, idiag_ext; struct
 * inet_diag_sockid id; __u32 idiag_states; __u32 idiag_dbs; }
 * @see include/uapi/linux/inet_diag.h
 */
export const REQ_V1 = { family: 0, ext: 3, id: 4, states: 52, dbs: 56, SIZE: 60 } as const;

/**
 * struct inet_diag_msg { __u8 idiag_family, idiag_state, idiag_timer, idiag_retrans; struct
 * inet_diag_sockid id; __u32 idiag_expires, idiag_rqueue, idiag_wqueue, idiag_uid, idiag_inode; }
 * `idiag_expires` is in milliseconds; for a listener rqueue is the accept queue and wqueue its limit.
 * @see include/uapi/linux/inet_diag.h, net/ipv4/inet_diag.c inet_sk_diag_fill()
 */
export const DIAG_MSG = {
  family: 0,
  state: 1,
  timer: 2,
  retrans: 3,
  id: 4,
  expires: 52,
  rqueue: 56,
  wqueue: 60,
  uid: 64,
  inode: 68,
  SIZE: 72,
} as const;

/**
 * Reply attributes (enum in inet_diag.h). To get one, set bit (type - 1) in `idiag_ext`; SHUTDOWN,
 * CGROUP_ID and SOCKOPT come unasked.
 * @see include/uapi/linux/inet_diag.h
 */
export const INET_DIAG = {
  MEMINFO: 1,
  INFO: 2,
  VEGASINFO: 3,
  CONG: 4,
  TOS: 5,
  TCLASS: 6,
  SKMEMINFO: 7,
  SHUTDOWN: 8,
  PROTOCOL: 10,
  SKV6ONLY: 11,
  MARK: 15,
  CLASS_ID: 17,
  CGROUP_ID: 21,
  SOCKOPT: 22,
} as const;

/** The `idiag_ext` bit that asks for an attribute. */
export const extBit = (attr: number): number => 1 << (attr - 1);

/** Request attributes. @see include/uapi/linux/inet_diag.h (INET_DIAG_REQ_*) */
export const INET_DIAG_REQ_BYTECODE = 1;

/**
 * Filter bytecode: struct inet_diag_bc_op { unsigned char code; unsigned char yes; unsigned short no; }.
 * `yes` and `no` are forward jumps in bytes from the op; running off the end exactly accepts, jumping
 * 4 bytes past it rejects. A port comparison carries the port in the `no` of a second op.
 * @see include/uapi/linux/inet_diag.h, net/ipv4/inet_diag.c inet_diag_bc_run(), inet_diag_bc_audit()
 */
export const BC = {
  NOP: 0,
  JMP: 1,
  S_GE: 2,
  S_LE: 3,
  D_GE: 4,
  D_LE: 5,
  AUTO: 6,
  S_COND: 7,
  D_COND: 8,
  DEV_COND: 9,
  MARK_COND: 10,
  S_EQ: 11,
  D_EQ: 12,
  CGROUP_COND: 13,
} as const;
export const BC_OP_SIZE = 4;
/** struct inet_diag_hostcond { __u8 family; __u8 prefix_len; int port; __be32 addr[]; } */
export const HOSTCOND = { family: 0, prefixLen: 1, port: 4, addr: 8, SIZE: 8 } as const;

/**
 * struct tcp_info's first byte is the state; the rest is tcp-info.ts's table.
 * @see include/uapi/linux/tcp.h
 */

/**
 * INET_DIAG_SKMEMINFO is a u32 array in SK_MEMINFO_* order: tcp/tcp-info.ts SOCKET_MEMORY_FIELDS.
 * @see include/uapi/linux/sock_diag.h
 */

/** sk_shutdown bits. @see include/net/sock.h (RCV_SHUTDOWN, SEND_SHUTDOWN) */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;

/** The state codes the kernel uses beyond the eleven users see. @see include/net/tcp_states.h */
export const TCP_NEW_SYN_RECV = 12;
export const TCP_BOUND_INACTIVE = 13;
