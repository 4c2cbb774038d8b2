/**
 * The layouts tracefs publishes: an event's `format` file (its id and the offset, size and sign of
 * each field) and `events/header_page` (where a ring-buffer page's data starts). Pure: decoding reads
 * field positions from these, never from constants, so a kernel that moves a field still decodes.
 * @see kernel/trace/trace_events.c (f_show: the `field:TYPE NAME; offset:N; size:N; signed:N;` lines)
 */

/** One field of an event record. `arrayLength` is set for `NAME[N]` fields. */
import { ParseError } from '../../errors.js';
export interface FieldFormat {
  readonly name: string;
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
  readonly arrayLength?: number;
}

/** An event's layout: `system/name`, its type id (`common_type` in every record) and its fields. */
export interface EventFormat {
  readonly system: string;
  readonly name: string;
  readonly id: number;
  readonly fields: ReadonlyMap<string, FieldFormat>;
}

const FIELD = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(-?\d+);)?/;

/** Parses a `format` file's text; throws on a file with no name, no id or no fields. */
export function parseEventFormat(system: string, text: string): EventFormat {
  let name: string | undefined;
  let id: number | undefined;
  const fields = new Map<string, FieldFormat>();
  for (const line of text.split('\n')) {
    if (line.startsWith('name:')) name = line.slice(5).trim();
    else if (line.startsWith('ID:')) id = Number(line.slice(3).trim());
    else {
      const m = FIELD.exec(line);
      if (m) {
        const f = parseField(m[1]!, Number(m[2]), Number(m[3]), m[4] === '1');
        fields.set(f.name, f);
      }
    }
  }
  if (name === undefined || id === undefined || !Number.isInteger(id) || fields.size === 0)
    throw new ParseError(`tracefs: ${system}: not an event format (name, ID or fields missing)`);
  return { system, name, id, fields };
}

/** `const void * skaddr` → type `const void *`, name `skaddr`; `__u8 saddr[4]` → an array of 4. */
function parseField(decl: string, offset: number, size: number, signed: boolean): FieldFormat {
  const m = /^(.*?)\s*([A-Za-z_]\w*)\s*(?:\[(\d*)\])?\s*$/.exec(decl.trim());
  const type = m?.[1]?.trim() ?? decl;
  const name = m?.[2] ?? decl;
  const arr = m?.[3];
  const base = { name, type, offset, size, signed };
  return arr !== undefined && arr !== '' ? { ...base, arrayLength: Number(arr) } : base;
}

/** A ring-buffer page's header: where the timestamp, the commit word and the data are. */
export interface PageHeaderFormat {
  readonly timestampOffset: number;
  readonly commitOffset: number;
  readonly commitSize: number;
  readonly dataOffset: number;
}

/** The layout of x86-64 and other 64-bit kernels, used when `header_page` cannot be read. */
export const DEFAULT_PAGE_HEADER: PageHeaderFormat = {
  timestampOffset: 0,
  commitOffset: 8,
  commitSize: 8,
  dataOffset: 16,
};

/**
 * Parses `events/header_page` (`field: u64 timestamp; offset:0; size:8;`, `field: local_t commit;`,
 * `field: char data; offset:16;`). The legacy `overwrite` line that shares commit's offset is ignored.
 */
export function parseHeaderPage(text: string): PageHeaderFormat {
  const pos = new Map<string, { offset: number; size: number }>();
  for (const line of text.split('\n')) {
    const m = FIELD.exec(line);
    if (!m) continue;
    const name = /([A-Za-z_]\w*)\s*$/.exec(m[1]!.trim())?.[1];
    if (name !== undefined && !pos.has(name)) pos.set(name, { offset: Number(m[2]), size: Number(m[3]) });
  }
  const ts = pos.get('timestamp');
  const commit = pos.get('commit');
  const data = pos.get('data');
  if (!ts || !commit || !data)
    throw new ParseError('tracefs: header_page: timestamp, commit or data missing');
  return {
    timestampOffset: ts.offset,
    commitOffset: commit.offset,
    commitSize: commit.size,
    dataOffset: data.offset,
  };
}
