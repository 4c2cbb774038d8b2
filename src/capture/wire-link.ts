/**
 * Link-layer types and header layouts tcpscope decodes, as named constants. Pure data.
 * @see https://www.tcpdump.org/linktypes.html
 */

/** LINKTYPE_* values as pcap and pcapng files carry them. */
export const LINKTYPE = {
  /** BSD loopback: a 4-byte address family in the writer's byte order. @see linktypes/LINKTYPE_NULL.html */
  NULL: 0,
  ETHERNET: 1,
  /** Raw IPv4 or IPv6, told apart by the version nibble. */
  RAW: 101,
  /** Raw IP as older writers put it: DLT_RAW's own number, which tcpdump reads as RAW. */
  RAW_OLD: 12,
  /** OpenBSD loopback: the family in network byte order. */
  LOOP: 108,
  /** @see https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html */
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  /** tcpdump -i any since libpcap 1.10. @see https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html */
  LINUX_SLL2: 276,
} as const;

/** EtherTypes met on the way to IP. @see https://www.iana.org/assignments/ieee-802-numbers */
export const ETHERTYPE = {
  IPV4: 0x0800,
  IPV6: 0x86dd,
  /** 802.1Q customer VLAN tag. */
  VLAN: 0x8100,
  /** 802.1ad service tag (QinQ outer). */
  QINQ: 0x88a8,
  /** The pre-standard QinQ tag some switches still send. */
  QINQ_OLD: 0x9100,
} as const;

/** Ethernet II: destination, source, EtherType. A VLAN tag adds 4 bytes before the real EtherType. */
export const ETHERNET = { SIZE: 14, ETHERTYPE: 12, VLAN_TAG: 4, MAX_TAGS: 4 } as const;

/** Linux cooked header v1 (16 bytes): the protocol is the EtherType at 14. */
export const SLL = { SIZE: 16, PROTOCOL: 14 } as const;

/** Linux cooked header v2 (20 bytes): the protocol first, then interface index and addresses. */
export const SLL2 = { SIZE: 20, PROTOCOL: 0 } as const;

/** BSD loopback header: a 4-byte address family. */
export const NULL_HEADER = { SIZE: 4 } as const;

/** Address-family values seen in NULL/LOOP headers (AF_INET6 differs per system). */
export const LOOP_AF = {
  INET: 2,
  /** NetBSD, OpenBSD, BSD/OS; FreeBSD; Darwin; Linux. */
  INET6: [24, 28, 30, 10] as readonly number[],
} as const;
