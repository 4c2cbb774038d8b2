/**
 * Walking the datagrams of a sock_diag dump: each netlink message checked against its datagram and
 * handed on, the end of the dump and the kernel's errors noted. Pure.
 * @see include/uapi/linux/netlink.h
 */
import type { ByteReader } from '../../net/byte-reader.js';
import {
  ALIGN,
  NLM_F_DUMP_INTR,
  NLMSG,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
} from './wire.js';

export interface DumpStatus {
  /** NLMSG_DONE or NLMSG_ERROR seen: the dump is over. */
  done: boolean;
  /** errno (positive) of an NLMSG_ERROR, or of a negative NLMSG_DONE. */
  error?: number;
  /** Messages (or datagram tails) that could not be parsed, skipped. */
  malformed: number;
  /** The first of them, for the warning. */
  firstError?: string;
  /** The kernel flagged the dump as interrupted by a change of the table (NLM_F_DUMP_INTR). */
  interrupted: boolean;
  /** Some socket message was seen (so the request was accepted). */
  fed?: true;
}

/**
 * Receives a sock_diag message's payload as `[off, off + len)` of the datagram's window: every byte
 * of it is within bounds (walkDatagram checked nlmsg_len against the datagram).
 */
export type OnDiag = (dgram: ByteReader, off: number, len: number) => void;

/**
 * Walks the messages of one datagram (from offset `from`, where a message starts) and hands each
 * sock_diag message's payload to `onDiag`. Updates `status` with the end of the dump, errors and
 * malformed messages.
 */
export function walkDatagram(
  dgram: ByteReader,
  le: boolean,
  status: DumpStatus,
  onDiag: OnDiag,
  from = 0,
): void {
  let off = from;
  while (off < dgram.length && !status.done) {
    const left = dgram.length - off;
    const len = left >= NLMSG.SIZE ? dgram.u32At(off + NLMSG.len, le) : 0;
    if (len < NLMSG.SIZE || len > left) {
      malformed(status, `bad nlmsg_len ${len} at offset ${off} of a ${dgram.length}-byte datagram`);
      return;
    }
    const type = dgram.u16At(off + NLMSG.type, le);
    // The kernel marks the messages it filled after the table changed under the dump (NLMSG_DONE
    // included: netlink_dump() checks it there).
    if ((dgram.u16At(off + NLMSG.flags, le) & NLM_F_DUMP_INTR) !== 0) status.interrupted = true;
    if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
      status.fed = true;
      onDiag(dgram, off + NLMSG.SIZE, len - NLMSG.SIZE);
      off += (len + ALIGN - 1) & ~(ALIGN - 1);
      continue;
    }
    const payload = dgram.window(off + NLMSG.SIZE, len - NLMSG.SIZE);
    if (type === NLMSG_DONE) {
      status.done = true;
      // The payload is an int: negative when the dump failed part way.
      const err = payload.length >= 4 ? payload.i32At(0, le) : 0;
      if (err < 0) status.error = -err;
    } else if (type === NLMSG_ERROR) {
      status.done = true;
      const err = payload.length >= 4 ? payload.i32At(0, le) : -1;
      if (err !== 0) status.error = err < 0 ? -err : err;
    } else if (type !== NLMSG_NOOP && type !== NLMSG_OVERRUN) {
      malformed(status, `unexpected message type ${type} at offset ${off}`);
    }
    off += (len + ALIGN - 1) & ~(ALIGN - 1);
  }
}

/** Counts one bad message, keeping the first reason. */
export function malformed(status: DumpStatus, why: string): void {
  status.malformed++;
  status.firstError ??= why;
}

/** A fresh status for a dump. */
export function newStatus(): DumpStatus {
  return { done: false, malformed: 0, interrupted: false };
}

/** The timer of a socket without one: shared and frozen (most sockets have none). */
