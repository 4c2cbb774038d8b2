/**
 * IPv4, IPv6 (with its extension headers) and TCP header layouts, as named constants. Pure data.
 */

/** @see https://www.rfc-editor.org/rfc/rfc791#section-3.1 */
export const IPV4 = {
  MIN_SIZE: 20,
  /** Version (high nibble) and IHL in 32-bit words (low nibble). */
  VERSION_IHL: 0,
  TOTAL_LENGTH: 2,
  /** Flags (3 bits) and the fragment offset in 8-byte units (13 bits). */
  FLAGS_FRAGMENT: 6,
  FRAGMENT_OFFSET_MASK: 0x1fff,
  PROTOCOL: 9,
  SRC: 12,
  DST: 16,
} as const;

/** @see https://www.rfc-editor.org/rfc/rfc8200#section-3 */
export const IPV6 = {
  SIZE: 40,
  PAYLOAD_LENGTH: 4,
  NEXT_HEADER: 6,
  SRC: 8,
  DST: 24,
  /** At most this many extension headers are walked (a loop guard; RFC 8200 section 4.1 order has 7). */
  MAX_EXTENSIONS: 10,
} as const;

/** IP protocol numbers: TCP, and the IPv6 extension headers we walk. @see https://www.iana.org/assignments/protocol-numbers */
export const IPPROTO = {
  HOPOPTS: 0,
  TCP: 6,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  /** Authentication Header: its length is in 32-bit words minus 2. @see https://www.rfc-editor.org/rfc/rfc4302#section-2.2 */
  AH: 51,
  NONE: 59,
  DSTOPTS: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
} as const;

/** IPv6 Fragment header: next header, reserved, offset (13 bits) and flags. @see RFC 8200 section 4.5 */
export const IPV6_FRAGMENT = { SIZE: 8, OFFSET_FLAGS: 2, OFFSET_MASK: 0xfff8 } as const;

/** @see https://www.rfc-editor.org/rfc/rfc9293#section-3.1 */
export const TCP = {
  MIN_SIZE: 20,
  SPORT: 0,
  DPORT: 2,
  SEQ: 4,
  ACK: 8,
  /** Data offset in 32-bit words (high nibble). */
  DATA_OFFSET: 12,
  FLAGS: 13,
  WINDOW: 14,
} as const;
