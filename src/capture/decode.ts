/**
 * One captured frame to a `WirePacket`: the link layer, IPv4 (options) or IPv6 (extension headers),
 * then TCP. Pure, and the hot path: each layer checks its fixed header against the record's captured
 * end once, then indexes bytes directly; the only allocation is the packet itself (addresses come
 * from a cache). Anything else is counted in the tally with the record's offset.
 */

import { AddressCache } from '../net/address-cache.js';
import type { WirePacket } from '../net/packet.js';
import { type CaptureStats, countProblem } from './stats.js';
import { IPPROTO, IPV4, IPV6, IPV6_FRAGMENT, TCP } from './wire-ip.js';
import { ETHERNET, ETHERTYPE, LINKTYPE, LOOP_AF, NULL_HEADER, SLL, SLL2 } from './wire-link.js';

/** Where a frame sits and what the file said about it. */
export interface Frame {
  bytes: Uint8Array;
  view: DataView;
  /** Absolute start of the captured bytes in `bytes`, and how many were captured. */
  start: number;
  caplen: number;
  /** The length on the wire (a frame cut by the snaplen has caplen < origlen). */
  origlen: number;
  linktype: number;
  timeUs: number;
  iface: number;
  /** Byte offset of the record in the input. */
  offset: number;
}

/** Decodes frames into packets for `onPacket`, counting the rest in `stats`. */
export class PacketDecoder {
  private readonly addresses = new AddressCache();

  /** The one packet refilled for each segment, when the reader keeps none. */
  private readonly reused: WirePacket | undefined;

  constructor(
    private readonly stats: CaptureStats,
    private readonly onPacket: (packet: WirePacket) => void,
    reuse = false,
  ) {
    this.reused = reuse
      ? {
          timeUs: 0.5,
          family: 4,
          src: '',
          dst: '',
          sport: 0,
          dport: 0,
          seq: 0.5,
          ack: 0.5,
          flags: 0,
          len: 0,
          window: 0,
          iface: 0,
          offset: 0.5,
        }
      : undefined;
  }

  /** Decodes one frame; calls `onPacket` for a TCP segment, counts anything else. */
  frame(f: Frame): void {
    const { bytes, view } = f;
    const end = f.start + f.caplen;
    let p = f.start;
    let ethertype: number;
    switch (f.linktype) {
      case LINKTYPE.ETHERNET: {
        if (p + ETHERNET.SIZE > end) {
          this.skip('truncated', f, 'Ethernet header');
          return;
        }
        ethertype = view.getUint16(p + ETHERNET.ETHERTYPE, false);
        p += ETHERNET.SIZE;
        // 802.1Q and QinQ tags: TPID was read as the EtherType; the real one follows the 2-byte TCI.
        for (let tags = 0; isVlan(ethertype); tags++) {
          if (tags === ETHERNET.MAX_TAGS) {
            this.skip('malformed', f, 'too many VLAN tags');
            return;
          }
          if (p + ETHERNET.VLAN_TAG > end) {
            this.skip('truncated', f, 'VLAN tag');
            return;
          }
          ethertype = view.getUint16(p + 2, false);
          p += ETHERNET.VLAN_TAG;
        }
        break;
      }
      case LINKTYPE.LINUX_SLL:
        if (p + SLL.SIZE > end) {
          this.skip('truncated', f, 'Linux cooked header');
          return;
        }
        ethertype = view.getUint16(p + SLL.PROTOCOL, false);
        p += SLL.SIZE;
        break;
      case LINKTYPE.LINUX_SLL2:
        if (p + SLL2.SIZE > end) {
          this.skip('truncated', f, 'Linux cooked v2 header');
          return;
        }
        ethertype = view.getUint16(p + SLL2.PROTOCOL, false);
        p += SLL2.SIZE;
        break;
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP: {
        if (p + NULL_HEADER.SIZE > end) {
          this.skip('truncated', f, 'loopback header');
          return;
        }
        // NULL is in the writer's byte order, unknown to us: the family is small, so try both.
        const be = view.getUint32(p, false);
        const family = f.linktype === LINKTYPE.LOOP || be < 256 ? be : view.getUint32(p, true);
        ethertype =
          family === LOOP_AF.INET ? ETHERTYPE.IPV4 : LOOP_AF.INET6.includes(family) ? ETHERTYPE.IPV6 : -1;
        p += NULL_HEADER.SIZE;
        break;
      }
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_OLD:
        if (p >= end) {
          this.skip('truncated', f, 'empty raw IP frame');
          return;
        }
        ethertype = versionType(bytes[p]! >> 4);
        break;
      case LINKTYPE.IPV4:
        ethertype = ETHERTYPE.IPV4;
        break;
      case LINKTYPE.IPV6:
        ethertype = ETHERTYPE.IPV6;
        break;
      default:
        this.stats.skipped.unsupportedLink++;
        return;
    }
    if (ethertype === ETHERTYPE.IPV4) this.ipv4(f, p, end);
    else if (ethertype === ETHERTYPE.IPV6) this.ipv6(f, p, end);
    else this.stats.skipped.notIp++;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc791#section-3.1 */
  private ipv4(f: Frame, p: number, end: number): void {
    if (p + IPV4.MIN_SIZE > end) {
      this.skip('truncated', f, 'IPv4 header');
      return;
    }
    const { bytes, view } = f;
    const vihl = bytes[p + IPV4.VERSION_IHL]!;
    if (vihl >> 4 !== 4) {
      this.skip('malformed', f, `IP version ${vihl >> 4} in an IPv4 frame`);
      return;
    }
    const ihl = (vihl & 0x0f) * 4;
    let total = view.getUint16(p + IPV4.TOTAL_LENGTH, false);
    // A segmentation-offload capture may say 0: the length on the wire is then the only measure.
    if (total === 0) total = f.origlen - (p - f.start);
    if (ihl < IPV4.MIN_SIZE || total < ihl) {
      this.skip('malformed', f, 'IPv4 header length');
      return;
    }
    if ((view.getUint16(p + IPV4.FLAGS_FRAGMENT, false) & IPV4.FRAGMENT_OFFSET_MASK) !== 0) {
      this.stats.skipped.fragments++;
      return;
    }
    if (bytes[p + IPV4.PROTOCOL] !== IPPROTO.TCP) {
      this.stats.skipped.notTcp++;
      return;
    }
    if (p + ihl > end) {
      this.skip('truncated', f, 'IPv4 options');
      return;
    }
    const src = this.addresses.v4(view, p + IPV4.SRC);
    const dst = this.addresses.v4(view, p + IPV4.DST);
    this.tcp(f, p + ihl, end, total - ihl, 4, src, dst);
  }

  /** @see https://www.rfc-editor.org/rfc/rfc8200#section-4 (extension headers) */
  private ipv6(f: Frame, p: number, end: number): void {
    if (p + IPV6.SIZE > end) {
      this.skip('truncated', f, 'IPv6 header');
      return;
    }
    const { bytes, view } = f;
    if (bytes[p]! >> 4 !== 6) {
      this.skip('malformed', f, `IP version ${bytes[p]! >> 4} in an IPv6 frame`);
      return;
    }
    let left = view.getUint16(p + IPV6.PAYLOAD_LENGTH, false);
    // 0: a jumbogram or an offloaded super-packet; the wire length is the measure.
    if (left === 0) left = f.origlen - (p - f.start) - IPV6.SIZE;
    let next = bytes[p + IPV6.NEXT_HEADER]!;
    let q = p + IPV6.SIZE;
    for (let n = 0; next !== IPPROTO.TCP; n++) {
      if (n === IPV6.MAX_EXTENSIONS) {
        this.skip('malformed', f, 'IPv6 extension header chain');
        return;
      }
      let size: number;
      switch (next) {
        case IPPROTO.HOPOPTS:
        case IPPROTO.ROUTING:
        case IPPROTO.DSTOPTS:
        case IPPROTO.MOBILITY:
        case IPPROTO.HIP:
        case IPPROTO.SHIM6:
          if (q + 2 > end) {
            this.skip('truncated', f, 'IPv6 extension header');
            return;
          }
          size = (bytes[q + 1]! + 1) * 8;
          break;
        case IPPROTO.AH:
          if (q + 2 > end) {
            this.skip('truncated', f, 'IPv6 authentication header');
            return;
          }
          size = (bytes[q + 1]! + 2) * 4;
          break;
        case IPPROTO.FRAGMENT:
          if (q + IPV6_FRAGMENT.SIZE > end) {
            this.skip('truncated', f, 'IPv6 fragment header');
            return;
          }
          if ((view.getUint16(q + IPV6_FRAGMENT.OFFSET_FLAGS, false) & IPV6_FRAGMENT.OFFSET_MASK) !== 0) {
            this.stats.skipped.fragments++;
            return;
          }
          size = IPV6_FRAGMENT.SIZE;
          break;
        default:
          // ESP (encrypted), No Next Header, UDP, ICMPv6...
          this.stats.skipped.notTcp++;
          return;
      }
      next = bytes[q]!;
      q += size;
      left -= size;
      if (left < 0) {
        this.skip('malformed', f, 'IPv6 extension headers longer than the payload');
        return;
      }
    }
    const src = this.addresses.v6(bytes, view, p + IPV6.SRC);
    const dst = this.addresses.v6(bytes, view, p + IPV6.DST);
    this.tcp(f, q, end, left, 6, src, dst);
  }

  /** @see https://www.rfc-editor.org/rfc/rfc9293#section-3.1 */
  private tcp(
    f: Frame,
    q: number,
    end: number,
    segLen: number,
    family: 4 | 6,
    src: string,
    dst: string,
  ): void {
    if (q + TCP.MIN_SIZE > end) {
      this.skip('truncated', f, 'TCP header');
      return;
    }
    const { bytes, view } = f;
    const doff = (bytes[q + TCP.DATA_OFFSET]! >> 4) * 4;
    if (doff < TCP.MIN_SIZE || doff > segLen) {
      this.skip('malformed', f, 'TCP data offset');
      return;
    }
    this.stats.packets++;
    const r = this.reused;
    if (r !== undefined) {
      r.timeUs = f.timeUs;
      r.family = family;
      r.src = src;
      r.dst = dst;
      r.sport = view.getUint16(q + TCP.SPORT, false);
      r.dport = view.getUint16(q + TCP.DPORT, false);
      r.seq = view.getUint32(q + TCP.SEQ, false);
      r.ack = view.getUint32(q + TCP.ACK, false);
      r.flags = bytes[q + TCP.FLAGS]!;
      r.len = segLen - doff;
      r.window = view.getUint16(q + TCP.WINDOW, false);
      r.iface = f.iface;
      r.offset = f.offset;
      this.onPacket(r);
      return;
    }
    this.onPacket({
      timeUs: f.timeUs,
      family,
      src,
      dst,
      sport: view.getUint16(q + TCP.SPORT, false),
      dport: view.getUint16(q + TCP.DPORT, false),
      seq: view.getUint32(q + TCP.SEQ, false),
      ack: view.getUint32(q + TCP.ACK, false),
      flags: bytes[q + TCP.FLAGS]!,
      len: segLen - doff,
      window: view.getUint16(q + TCP.WINDOW, false),
      iface: f.iface,
      offset: f.offset,
    });
  }

  private skip(reason: 'truncated' | 'malformed', f: Frame, what: string): void {
    countProblem(this.stats, reason, f.offset, reason === 'truncated' ? `${what} cut short` : `bad ${what}`);
  }
}

function isVlan(ethertype: number): boolean {
  return ethertype === ETHERTYPE.VLAN || ethertype === ETHERTYPE.QINQ || ethertype === ETHERTYPE.QINQ_OLD;
}

function versionType(version: number): number {
  return version === 4 ? ETHERTYPE.IPV4 : version === 6 ? ETHERTYPE.IPV6 : -1;
}
