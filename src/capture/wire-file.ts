/**
 * The file layouts of pcap and pcapng as named constants: magics, header and block offsets, option
 * codes. Pure data.
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-05.html (pcap)
 * @see https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html (pcapng)
 * @see https://github.com/cto-af/pcap-ng-parser (the model: layouts as data)
 */

/**
 * pcap magics as read big-endian from the first four bytes: the writer's byte order shows as the
 * swapped value. @see draft-ietf-opsawg-pcap section 4 (File Header)
 */
export const PCAP_MAGIC = {
  /** Microsecond timestamps. */
  MICRO: 0xa1b2c3d4,
  MICRO_SWAPPED: 0xd4c3b2a1,
  /** Nanosecond timestamps. */
  NANO: 0xa1b23c4d,
  NANO_SWAPPED: 0x4d3cb2a1,
} as const;

/** pcap file header (24 bytes). @see draft-ietf-opsawg-pcap section 4 */
export const PCAP_HEADER = {
  SIZE: 24,
  MAGIC: 0,
  VERSION_MAJOR: 4,
  VERSION_MINOR: 6,
  /** Reserved1 (once thiszone) and Reserved2 (once sigfigs) follow at 8 and 12. */
  SNAPLEN: 16,
  /** Link type in the low 16 bits; FCS information above. @see section 4.1 */
  LINKTYPE: 20,
} as const;

/** pcap record header (16 bytes), then the captured bytes. @see draft-ietf-opsawg-pcap section 5 */
export const PCAP_RECORD = {
  SIZE: 16,
  TS_SEC: 0,
  /** Microseconds or nanoseconds, as the magic says. */
  TS_FRAC: 4,
  CAPLEN: 8,
  ORIGLEN: 12,
} as const;

/**
 * The largest captured length libpcap accepts (its MAXIMUM_SNAPLEN); a record header claiming more
 * is corrupt. @see https://github.com/the-tcpdump-group/libpcap/blob/master/pcap-int.h
 */
export const MAX_SNAPLEN = 262_144;

/** pcapng block types. @see draft-ietf-opsawg-pcapng section 10.1 (Block Type Codes) */
export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Packet Block, obsolete, still written by old tools. @see appendix A */
  OPB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
  CUSTOM: 0x00000bad,
  CUSTOM_NOCOPY: 0x40000bad,
} as const;

/**
 * Every block: type, total length, body, total length again (a multiple of 4, at least 12).
 * @see draft-ietf-opsawg-pcapng section 3.1 (General Block Structure)
 */
export const BLOCK_HEADER = { TYPE: 0, TOTAL_LENGTH: 4, BODY: 8, MIN_SIZE: 12 } as const;

/** Section Header Block. @see draft-ietf-opsawg-pcapng section 4.1 */
export const SHB = {
  BYTE_ORDER_MAGIC: 8,
  /** 0x1A2B3C4D in the section's byte order. */
  MAGIC_VALUE: 0x1a2b3c4d,
  VERSION_MAJOR: 12,
  VERSION_MINOR: 14,
  SECTION_LENGTH: 16,
  OPTIONS: 24,
  MIN_SIZE: 28,
} as const;

/** Interface Description Block. @see draft-ietf-opsawg-pcapng section 4.2 */
export const IDB = {
  LINKTYPE: 8,
  SNAPLEN: 12,
  OPTIONS: 16,
  MIN_SIZE: 20,
  /** if_tsresol: one byte, 10^-n (top bit clear) or 2^-n (top bit set); default 6. */
  OPT_TSRESOL: 9,
  /** if_tsoffset: signed 64-bit seconds added to every timestamp. */
  OPT_TSOFFSET: 14,
} as const;

/** Enhanced Packet Block. @see draft-ietf-opsawg-pcapng section 4.3 */
export const EPB = {
  INTERFACE_ID: 8,
  TS_HIGH: 12,
  TS_LOW: 16,
  CAPLEN: 20,
  ORIGLEN: 24,
  DATA: 28,
  MIN_SIZE: 32,
} as const;

/** Simple Packet Block: interface 0, no timestamp. @see draft-ietf-opsawg-pcapng section 4.4 */
export const SPB = { ORIGLEN: 8, DATA: 12, MIN_SIZE: 16 } as const;

/** Packet Block (obsolete). @see draft-ietf-opsawg-pcapng appendix A */
export const OPB = {
  INTERFACE_ID: 8,
  DROPS: 10,
  TS_HIGH: 12,
  TS_LOW: 16,
  CAPLEN: 20,
  ORIGLEN: 24,
  DATA: 28,
  MIN_SIZE: 32,
} as const;

/** Options: code and length (16 bits each), the value padded to 32 bits; code 0 ends the list. */
export const OPTION = { HEADER: 4, END: 0 } as const;
