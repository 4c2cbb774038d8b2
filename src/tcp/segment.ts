/**
 * A TCP segment as the state machine sees it: sequence and acknowledgment numbers, the control bits
 * and the payload length. Addresses and ports are the drivers' business (a capture, the simulator).
 * @see https://www.rfc-editor.org/rfc/rfc9293#section-3.1 (header format)
 */
import { seqAdd } from './seq.js';

/** Control bits with their positions in the header's flags byte, so a capture can pass the byte as it is. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface Segment {
  /** SEG.SEQ: the sequence number of the first octet (of the SYN or FIN when the segment carries one first). */
  readonly seq: number;
  /** SEG.ACK: meaningful only when the ACK bit is set (0 otherwise). */
  readonly ack: number;
  /** Control bits, as the header's flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  readonly flags: number;
  /** Payload octets (0 for a bare control segment). */
  readonly len: number;
  /** The timestamp option's TSval, when the segment carries one (RFC 7323). */
  readonly tsval?: number;
}

/** Whether the segment carries every bit of `bits`. */
export function has(seg: Pick<Segment, 'flags'>, bits: number): boolean {
  return (seg.flags & bits) === bits;
}

/** SEG.LEN in sequence space: payload plus one for SYN and one for FIN (RFC 9293 section 3.4). */
export function segSpace(seg: Segment): number {
  return seg.len + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
}

/** The sequence number just past the segment (Linux `end_seq`). */
export function segEnd(seg: Segment): number {
  return seqAdd(seg.seq, segSpace(seg));
}

const NAMES: readonly [number, string][] = [
  [SYN, 'SYN'],
  [FIN, 'FIN'],
  [RST, 'RST'],
  [PSH, 'PSH'],
  [ACK, 'ACK'],
];

/** The control bits as text, `SYN+ACK`, `FIN+ACK`, `RST`; PSH is left out unless `withPsh`. */
export function flagsText(flags: number, withPsh = false): string {
  const names = NAMES.filter(([b, n]) => flags & b && (withPsh || n !== 'PSH')).map(([, n]) => n);
  return names.length ? names.join('+') : 'none';
}

/** `SYN+ACK`, `fin,ack`, `RST` to the flags byte; undefined when a word is no flag. */
export function parseFlagsText(text: string): number | undefined {
  let flags = 0;
  for (const word of text.toUpperCase().split(/[+,|]/)) {
    const hit = NAMES.find(([, n]) => n === word.trim());
    if (!hit) return undefined;
    flags |= hit[0];
  }
  return flags;
}

/** A segment in the RFC's figure notation: `<SEQ=100><ACK=301><CTL=SYN,ACK>`, with `<DATA=n>` for payload. */
export function segmentText(seg: Segment): string {
  const parts = [`<SEQ=${seg.seq}>`];
  if (seg.flags & ACK) parts.push(`<ACK=${seg.ack}>`);
  const ctl = NAMES.filter(([b, n]) => seg.flags & b && n !== 'PSH').map(([, n]) => n);
  if (ctl.length) parts.push(`<CTL=${ctl.join(',')}>`);
  if (seg.len > 0) parts.push(`<DATA=${seg.len}>`);
  return parts.join('');
}
