/**
 * One page of the binary ring (`per_cpu/cpuN/trace_pipe_raw`) to its records. Pure.
 *
 * A page is a header (timestamp of the first event, a commit word giving the data's length and two
 * flags for events lost before this page) then events, each behind a 32-bit header: `type_len` in the
 * low 5 bits, `time_delta` in the upper 27 (on little-endian hosts). type_len 1..28 is a data record
 * of type_len × 4 bytes; 0 is a data record whose length is in the next word; 29 is padding (the
 * rest of the page when its delta is 0), 30 extends the time delta, 31 is an absolute time stamp.
 * @see include/linux/ring_buffer.h (struct ring_buffer_event, enum ring_buffer_type)
 * @see kernel/trace/ring_buffer.c (RB_MISSED_EVENTS, RB_MISSED_STORED, rb_event_length)
 * @see libtraceevent src/kbuffer-parse.c (translate_data: the same walk in user space)
 */
import { type ByteReader, HOST_LITTLE_ENDIAN } from '../../net/byte-reader.js';
import type { PageHeaderFormat } from './format.js';

const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const TS_SHIFT = 27;
/** Flags in the commit word: events were lost before this page, and their count follows the data. */
const MISSED_EVENTS = 2 ** 31;
const MISSED_STORED = 2 ** 30;
const COMMIT_MASK = 2 ** 27 - 1;

/** What one page held: its records in order, and events the kernel lost before it. */
export interface PageRecords {
  /** Each record's timestamp (trace clock, ns) and its data as a window of the page. */
  readonly records: { ts: number; data: ByteReader }[];
  /** Events lost before this page: a count, `true` when lost but not counted, or 0. */
  readonly missed: number | true;
  /** Bad pages or records met (counted, never thrown). */
  readonly errors: number;
}

/**
 * Walks one page. `page` may be longer than the data (a read returns whole pages); the commit word
 * says how much is real. A record running past the data ends the walk and counts one error.
 */
export function decodePage(page: ByteReader, hdr: PageHeaderFormat, le = HOST_LITTLE_ENDIAN): PageRecords {
  const records: { ts: number; data: ByteReader }[] = [];
  if (page.length < hdr.dataOffset) return { records, missed: 0, errors: 1 };
  let ts = page.u64At(hdr.timestampOffset, le);
  // The flags sit in bits 30 and 31 of the commit word (a local_t: 8 bytes on 64-bit kernels).
  const commitWord =
    hdr.commitSize === 8 ? page.u64At(hdr.commitOffset, le) % 2 ** 32 : page.u32At(hdr.commitOffset, le);
  const size = commitWord & COMMIT_MASK;
  let missed: number | true = 0;
  if (commitWord >= MISSED_EVENTS) {
    missed = true;
    const at = hdr.dataOffset + size;
    if ((commitWord & MISSED_STORED) !== 0 && at + hdr.commitSize <= page.length)
      missed = hdr.commitSize === 8 ? page.u64At(at, le) : page.u32At(at, le);
  }
  const end = hdr.dataOffset + size;
  if (end > page.length) return { records, missed, errors: 1 };
  let errors = 0;
  let off = hdr.dataOffset;
  while (off + 4 <= end) {
    const head = page.u32At(off, le);
    const typeLen = head & 0x1f;
    const delta = head >>> 5;
    if (typeLen === TYPE_PADDING) {
      if (delta === 0) break; // the rest of the page is padding
      if (off + 8 > end) break;
      off += 4 + page.u32At(off + 4, le); // a discarded record: skip it
      continue;
    }
    if (typeLen === TYPE_TIME_EXTEND || typeLen === TYPE_TIME_STAMP) {
      if (off + 8 > end) {
        errors++;
        break;
      }
      const ext = page.u32At(off + 4, le) * 2 ** TS_SHIFT + delta;
      // An absolute stamp holds the low 59 bits of the time; the page's upper bits complete it.
      ts = typeLen === TYPE_TIME_EXTEND ? ts + ext : ext;
      off += 8;
      continue;
    }
    let dataOff: number;
    let len: number;
    if (typeLen === 0) {
      if (off + 8 > end) {
        errors++;
        break;
      }
      len = page.u32At(off + 4, le) - 4;
      dataOff = off + 8;
    } else {
      len = typeLen * 4;
      dataOff = off + 4;
    }
    if (len < 0 || dataOff + len > end) {
      errors++;
      break;
    }
    ts += delta;
    records.push({ ts, data: page.window(dataOff, len) });
    off = dataOff + ((len + 3) & ~3);
  }
  return { records, missed, errors };
}
