/**
 * A captured TCP segment as one line of text (tcpdump's order: time, source > destination, flags,
 * seq, ack, window, length) and as one NDJSON object. Pure.
 */

import { formatEndpoint } from '../net/endpoint.js';
import type { WirePacket } from '../net/packet.js';
import { ACK, flagsText } from '../tcp/segment.js';

/** `2026-12-04T12:00:03.250123Z`: ISO 8601 with the capture's microseconds. */
export function isoMicros(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(timeUs - ms * 1000).padStart(3, '0')}Z`;
}

/** `12:00:03.250123` in UTC, tcpdump's default time column. */
export function clockMicros(timeUs: number): string {
  return isoMicros(timeUs).slice(11, -1);
}

/** One line: `12:00:03.250123 127.0.0.1:45698 > 127.0.0.1:80 SYN+ACK seq 1 ack 2 win 65483 len 0`. */
export function packetLine(p: WirePacket): string {
  const ack = p.flags & ACK ? ` ack ${p.ack}` : '';
  return `${clockMicros(p.timeUs)} ${formatEndpoint(p.src, p.sport)} > ${formatEndpoint(p.dst, p.dport)} ${flagsText(p.flags, true)} seq ${p.seq}${ack} win ${p.window} len ${p.len}\n`;
}

/** One NDJSON line (docs/json.md, `capture --json`): the packet with its ends as `{ address, port }`, flags as text and as the byte. */
export function packetJson(p: WirePacket): string {
  return `${JSON.stringify({
    time: isoMicros(p.timeUs),
    family: p.family,
    src: { address: p.src, port: p.sport },
    dst: { address: p.dst, port: p.dport },
    flags: flagsText(p.flags, true),
    flagsByte: p.flags,
    seq: p.seq,
    ...(p.flags & ACK ? { ack: p.ack } : {}),
    window: p.window,
    len: p.len,
    iface: p.iface,
  })}\n`;
}
