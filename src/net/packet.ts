/**
 * One TCP segment as a capture saw it on the wire: what the capture readers (`src/capture/`) yield
 * and what the flow table observes. Pure data.
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.1 (header format)
 */

/** A decoded TCP segment with its addresses, ports and capture time. */
export interface WirePacket {
  /** Capture time in microseconds since the epoch (a nanosecond file is rounded down to µs). */
  timeUs: number;
  family: 4 | 6;
  /** Source and destination addresses in the contract's text form (`src/net/ip.ts`). */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** SEG.SEQ and SEG.ACK as unsigned 32-bit numbers. */
  seq: number;
  ack: number;
  /** The header's flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...), as `src/tcp/segment.ts` takes it. */
  flags: number;
  /** Payload octets from the IP lengths (not the captured length: a snaplen cut is normal). */
  len: number;
  /** The raw window field (unscaled). */
  window: number;
  /** Index of the capture's interface (pcapng IDB; 0 for pcap). */
  iface: number;
  /** Byte offset of the record in the input, for reports of what was skipped. */
  offset: number;
}
