/**
 * sock_diag requests as bytes: a dump of one family's TCP sockets (SOCK_DIAG_BY_FAMILY with
 * inet_diag_req_v2, the state bitmask and an optional filter program), and SOCK_DESTROY of one
 * socket. Pure.
 * @see include/uapi/linux/inet_diag.h, include/uapi/linux/sock_diag.h, include/uapi/linux/netlink.h
 */
import { ByteWriter } from '../../net/byte-reader.js';
import {
  AF_INET,
  AF_INET6,
  ALIGN,
  INET_DIAG_REQ_BYTECODE,
  IPPROTO_TCP,
  NLA,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG,
  REQ_V1,
  REQ_V2,
  SOCK_DESTROY,
  SOCK_DIAG_BY_FAMILY,
  SOCKID,
  TCPDIAG_GETSOCK,
} from './wire.js';

export interface DumpRequest {
  /** One family (SOCK_DIAG_BY_FAMILY), or both in one walk (TCPDIAG_GETSOCK). */
  family: 4 | 6 | 'both';
  /** Kernel state codes wanted, bit N for code N (`ss` sends 0xFFF; SYN_RECV's bit brings request sockets). */
  states: number;
  /** `idiag_ext`: the attributes wanted, bit (type - 1) each. */
  ext: number;
  /** A filter program (bytecode.ts), sent as INET_DIAG_REQ_BYTECODE. */
  bytecode?: Uint8Array;
  seq: number;
  littleEndian: boolean;
}

const align = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

/** The request that dumps one family's TCP sockets, or both families' in one walk. */
export function dumpRequest(r: DumpRequest): Uint8Array {
  const bc = r.bytecode;
  const attrLen = bc ? NLA.SIZE + bc.length : 0;
  const both = r.family === 'both';
  const body = both ? REQ_V1.SIZE : REQ_V2.SIZE;
  const len = NLMSG.SIZE + body + align(attrLen);
  const w = header(
    len,
    both ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY,
    NLM_F_REQUEST | NLM_F_DUMP,
    r.seq,
    r.littleEndian,
  );
  const b = NLMSG.SIZE;
  if (both) {
    // idiag_family is ignored (AF_UNSPEC); the protocol is the message type.
    w.u8(b + REQ_V1.ext, r.ext & 0xff).u32(b + REQ_V1.states, r.states >>> 0, r.littleEndian);
  } else {
    w.u8(b + REQ_V2.family, r.family === 4 ? AF_INET : AF_INET6)
      .u8(b + REQ_V2.protocol, IPPROTO_TCP)
      .u8(b + REQ_V2.ext, r.ext & 0xff)
      .u32(b + REQ_V2.states, r.states >>> 0, r.littleEndian);
  }
  if (bc) {
    const a = b + body;
    w.u16(a + NLA.len, attrLen, r.littleEndian).u16(a + NLA.type, INET_DIAG_REQ_BYTECODE, r.littleEndian);
    w.set(a + NLA.SIZE, bc);
  }
  return w.bytes;
}

/** The request that closes one socket, named by the `inet_diag_sockid` a dump gave for it (cookie included). */
export function destroyRequest(
  family: 4 | 6,
  id: Uint8Array,
  seq: number,
  littleEndian: boolean,
): Uint8Array {
  if (id.length !== SOCKID.SIZE) throw new RangeError(`inet_diag_sockid of ${id.length} bytes`);
  const w = header(NLMSG.SIZE + REQ_V2.SIZE, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, seq, littleEndian);
  const b = NLMSG.SIZE;
  w.u8(b + REQ_V2.family, family === 4 ? AF_INET : AF_INET6)
    .u8(b + REQ_V2.protocol, IPPROTO_TCP)
    .u32(b + REQ_V2.states, 0xffffffff, littleEndian)
    .set(b + REQ_V2.id, id);
  return w.bytes;
}

function header(len: number, type: number, flags: number, seq: number, le: boolean): ByteWriter {
  return new ByteWriter(len)
    .u32(NLMSG.len, len, le)
    .u16(NLMSG.type, type, le)
    .u16(NLMSG.flags, flags, le)
    .u32(NLMSG.seq, seq, le);
}
